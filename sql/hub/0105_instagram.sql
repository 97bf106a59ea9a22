-- Instagram (docs/sources/instagram.md §8): media, insights per metric, comments (personal data, tagged).
CREATE TABLE social.ig_media (
  account text NOT NULL, id text NOT NULL, media_type text NOT NULL, media_product_type text, caption text, permalink text,
  posted_at timestamptz NOT NULL, like_count integer, comments_count integer, fetched_at timestamptz NOT NULL,
  PRIMARY KEY (account, id)
);
CREATE TABLE social.ig_media_insights (
  account text NOT NULL, media_id text NOT NULL, metric text NOT NULL, value numeric NOT NULL, fetched_at timestamptz NOT NULL,
  PRIMARY KEY (account, media_id, metric)
);
CREATE TABLE social.ig_comments (
  account text NOT NULL, id text NOT NULL, media_id text NOT NULL, text text NOT NULL, username text, posted_at timestamptz NOT NULL,
  fetched_at timestamptz NOT NULL,
  PRIMARY KEY (account, id)
);

COMMENT ON TABLE warehouse.social_posts IS 'The founder''s social posts (X and Instagram) with their latest numbers; thread_id groups an X thread (its first post''s id; an Instagram post is its own). Instagram impressions are its reach (the impressions metric is deprecated). No text: posts and comments can name other people.';
