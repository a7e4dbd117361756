-- pgbench's built-in select-only transaction (-S), as a script: used to time the SQL gate on it.
\set aid random(1, 100000 * :scale)
SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
