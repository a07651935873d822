\set ON_ERROR_STOP on
TRUNCATE alert_history, alerts, events, event_keys RESTART IDENTITY CASCADE;
DROP TABLE IF EXISTS idx_src; CREATE UNLOGGED TABLE idx_src AS
SELECT 'fw-edge-' || (i % 600) AS source,
       (ARRAY['port_scan','brute_force','malware_detected','dns_tunnel','c2_beacon','phishing_link','sql_injection'])[1 + i % 7] AS event_type,
       (1 + i % 4)::smallint AS severity,
       (ARRAY['port scan','brute force','malware','dns tunnel','beacon'])[1 + i % 5] || ' from 10.' || (i % 250) || '.' || (i * 7 % 250) || '.' || (i * 13 % 250) || ': ' ||
       (SELECT string_agg((ARRAY['blocked','allowed','outbound','inbound','payload','signature','heuristic','beacon','lateral','exfiltration','credential','token','session','anomaly','baseline','threshold','entropy','encoded','powershell','macro','kerberos','ntlm','smb','rdp','ssh'])[1 + ((i * 31 + w * 17) % 25)], ' ') FROM generate_series(1, 8) w) ||
       ' rule ' || (i * 37 % 10000) AS description,
       now() - make_interval(secs => i) AS occurred_at,
       ('10.' || (i % 250) || '.1.' || (1 + i % 250))::inet AS source_ip,
       ('192.168.1.' || (1 + i % 250))::inet AS destination_ip,
       jsonb_build_object('rule_id', i % 10000, 'tags', jsonb_build_array('bench')) AS metadata,
       'idx-' || i AS external_id,
       now() AS ts
FROM generate_series(1, 50000) i;
