-- X (docs/sources/x.md §8): the founder's posts and their public metrics.
CREATE TABLE social.x_posts (
  account text NOT NULL, id text NOT NULL, conversation_id text NOT NULL, is_thread_reply boolean NOT NULL, created_at timestamptz NOT NULL,
  text text NOT NULL, retweets integer NOT NULL, replies integer NOT NULL, likes integer NOT NULL, quotes integer NOT NULL,
  bookmarks integer, impressions integer, fetched_at timestamptz NOT NULL,
  PRIMARY KEY (account, id)
);
CREATE INDEX x_posts_created_at ON social.x_posts (account, created_at);

-- Social post performance in the warehouse: numbers and thread structure, never the text.
CREATE TABLE warehouse.social_posts (
  platform text NOT NULL, account text NOT NULL, post_id text NOT NULL, thread_id text NOT NULL, is_thread_reply boolean NOT NULL,
  posted_on date NOT NULL, impressions integer, likes integer NOT NULL, replies integer NOT NULL, reposts integer NOT NULL,
  quotes integer NOT NULL, bookmarks integer,
  PRIMARY KEY (platform, account, post_id)
);
COMMENT ON TABLE warehouse.social_posts IS 'The founder''s social posts (X) with their latest public metrics; thread_id groups a thread (its first post''s id). No text: posts can quote or name other people.';

CREATE VIEW warehouse.social_threads WITH (security_invoker = true) AS
SELECT platform, account, thread_id, min(posted_on) AS posted_on, count(*) AS posts,
       sum(impressions) AS impressions, sum(likes) AS likes, sum(replies) AS replies, sum(reposts) AS reposts,
       round(sum(likes + replies + reposts + quotes)::numeric / nullif(sum(impressions), 0), 4) AS engagement_rate
  FROM warehouse.social_posts GROUP BY platform, account, thread_id;
COMMENT ON VIEW warehouse.social_threads IS 'Social performance per thread (a single post is a thread of one): impressions, likes, replies, reposts, and engagement per impression.';
