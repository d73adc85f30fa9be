-- The Slack KB Agent's tables; the postgres image creates them in a new cluster.
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

