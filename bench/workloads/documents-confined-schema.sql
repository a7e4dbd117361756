-- Documents workload for a schema-per-tenant tenant through Bulkhead: unqualified names, the proxy owns search_path.
\set n random(1, 20)
\set doc 1000 + :n
SELECT id, title, updated_at FROM documents WHERE folder_id = 102 AND deleted_at IS NULL ORDER BY updated_at DESC LIMIT 10;
SELECT d.title, v.version_number, v.content FROM documents d JOIN document_versions v ON v.document_id = d.id WHERE d.id = :doc ORDER BY v.version_number DESC LIMIT 1;
UPDATE documents SET updated_at = now() WHERE id = :doc;
