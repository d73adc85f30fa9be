"""The knowledge base: documents loaded from PostgreSQL, bounded by a document limit kept in Redis.

`KnowledgeBase(max_documents=5000).save()` (the runbook's Scenario 3) stores the new limit; the
running agent reads it when it (re)starts and on every reload, and drops the oldest documents.
"""
import psycopg2
import redis

from . import config

LIMIT_KEY = "slack_kb_agent:max_documents"


def connect_db():
    return psycopg2.connect(config.DATABASE_URL, connect_timeout=3)


def connect_redis():
    return redis.Redis.from_url(config.REDIS_URL, socket_timeout=3, socket_connect_timeout=3)


class KnowledgeBase:
    def __init__(self, max_documents=None):
        self._explicit = max_documents is not None
        if max_documents is not None and (not isinstance(max_documents, int) or max_documents < 1):
            raise ValueError("max_documents must be a positive integer")
        self.max_documents = max_documents if max_documents is not None else self.stored_limit()
        self.documents = []

    @staticmethod
    def stored_limit():
        stored = connect_redis().get(LIMIT_KEY)
        return int(stored) if stored else config.DEFAULT_MAX_DOCUMENTS

    def save(self):
        """Stores the document limit for the agent to use; prints what it did."""
        connect_redis().set(LIMIT_KEY, str(self.max_documents))
        print(f"document limit saved: {self.max_documents}")

    def load(self):
        with connect_db() as conn, conn.cursor() as cur:
            cur.execute(
                "select id, title, body from documents order by updated_at desc limit %s",
                (self.max_documents,),
            )
            self.documents = cur.fetchall()
        conn.close()
        return self

    def search(self, text):
        needle = text.lower()
        return [doc for doc in self.documents if needle in doc[1].lower() or needle in doc[2].lower()]
