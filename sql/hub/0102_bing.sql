-- Bing Webmaster Tools (docs/sources/bing.md §8): per query and per page, per weekly bucket, and a fetch log.
CREATE TABLE search.bing_query_weekly (
  property text NOT NULL, site_url text NOT NULL, week date NOT NULL, query text NOT NULL,
  clicks bigint NOT NULL, impressions bigint NOT NULL, avg_click_position double precision NOT NULL, avg_impression_position double precision NOT NULL,
  fetched_at timestamptz NOT NULL,
  PRIMARY KEY (site_url, week, query)
);
CREATE TABLE search.bing_page_weekly (
  property text NOT NULL, site_url text NOT NULL, week date NOT NULL, page text NOT NULL,
  clicks bigint NOT NULL, impressions bigint NOT NULL, avg_click_position double precision NOT NULL, avg_impression_position double precision NOT NULL,
  fetched_at timestamptz NOT NULL,
  PRIMARY KEY (site_url, week, page)
);
CREATE TABLE search.bing_fetch_log (
  site_url text NOT NULL, stream text NOT NULL, week date NOT NULL, rows integer NOT NULL, dropped_rows integer NOT NULL, fetched_at timestamptz NOT NULL,
  PRIMARY KEY (site_url, stream, week)
);
