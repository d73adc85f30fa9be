-- Demo rows for a new deployment, deterministic so that row counts are known
-- (users 25, documents 300, messages 1200). Loaded once, by whoever deploys the stack.
insert into users (slack_id, display_name)
select 'U' || lpad(g::text, 8, '0'), 'engineer ' || g
from generate_series(1, 25) as g;

insert into documents (title, source, body, author_id, updated_at)
select 'How to ' || (array['deploy', 'roll back', 'rotate keys', 'restore backups', 'page on-call'])[1 + g % 5]
         || ' (part ' || g || ')',
       (array['confluence', 'github', 'slack', 'gdrive'])[1 + g % 4],
       repeat('Step ' || g || ': follow the checklist and record the outcome. ', 1 + g % 7),
       1 + g % 25,
       timestamptz '2026-01-01 00:00:00+00' + g * interval '37 minutes'
from generate_series(1, 300) as g;

insert into messages (channel, user_id, text, answered_by_document_id, sent_at)
select (array['#incidents', '#deploys', '#help-kb', '#general'])[1 + g % 4],
       1 + g % 25,
       'question ' || g || ': where is the runbook for step ' || (g % 40) || '?',
       case when g % 3 = 0 then null else 1 + g % 300 end,
       timestamptz '2026-02-01 00:00:00+00' + g * interval '11 minutes'
from generate_series(1, 1200) as g;
