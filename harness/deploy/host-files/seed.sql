-- Demo data for the Slack KB Agent database: deterministic, so row counts are known
-- (users 25, documents 300, messages 1200).
create table users (
  id serial primary key,
  slack_id text not null unique,
  display_name text not null,
  created_at timestamptz not null default now()
);

create table documents (
  id serial primary key,
  title text not null,
  source text not null check (source in ('confluence', 'github', 'slack', 'gdrive')),
  body text not null,
  author_id integer not null references users (id),
  updated_at timestamptz not null
);

create table messages (
  id bigserial primary key,
  channel text not null,
  user_id integer not null references users (id),
  text text not null,
  answered_by_document_id integer references documents (id),
  sent_at timestamptz not null
);

create index messages_channel_sent_at on messages (channel, sent_at);

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
