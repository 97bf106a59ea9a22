-- YouTube (docs/sources/youtube.md §8): videos keyed on their id, title and thumbnail histories, daily analytics.
CREATE TABLE video.yt_videos (
  channel_id text NOT NULL, video_id text PRIMARY KEY, title text NOT NULL, published_at timestamptz NOT NULL, duration text NOT NULL,
  thumbnail_url text, views bigint, likes bigint, comments bigint, fetched_at timestamptz NOT NULL
);
CREATE TABLE video.yt_video_titles (
  video_id text NOT NULL, title text NOT NULL, seen_from timestamptz NOT NULL, PRIMARY KEY (video_id, seen_from)
);
CREATE TABLE video.yt_thumbnail_versions (
  video_id text NOT NULL, sha256 text NOT NULL, url text NOT NULL, bytes integer NOT NULL, seen_from timestamptz NOT NULL,
  PRIMARY KEY (video_id, seen_from)
);
CREATE TABLE video.yt_video_daily (
  channel_id text NOT NULL, video_id text NOT NULL, date date NOT NULL, views bigint NOT NULL, watch_minutes numeric NOT NULL,
  subscribers_gained bigint NOT NULL, fetched_at timestamptz NOT NULL, PRIMARY KEY (video_id, date)
);
