/* Exposes libpq, the reference PostgreSQL client, to the Swift integration tests. */
#include <libpq-fe.h>
