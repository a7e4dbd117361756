// Exposes libpg_query (the PostgreSQL 15 parser) to Swift.
#include <pg_query.h>
