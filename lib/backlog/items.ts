/**
 * The deferred decisions. Each states what would make it due (measured by
 * `npm run triggers` where a metric can tell), what to do then, what it costs
 * per month and in hours, and what it keeps us from doing too early.
 */
import { Schema } from "effect"
import { BacklogItem, type CostTier, CostTier as CostTierSchema, NeverDo } from "./Backlog.ts"

const items: ReadonlyArray<typeof BacklogItem.Encoded> = [
  // S1 — the first real user
  {
    id: "S1-01", tier: "S1", title: "Error tracking with GlitchTip",
    trigger: { text: "The first real user signs up", measure: { metric: "signups_total", comparator: ">=", threshold: 1, unit: "sign-ups", days: 0 } },
    action: "Replace the ops.errors table as the place errors are read with self-hosted GlitchTip on the same droplet (fits in 4 GB).",
    monthlyCostDelta: 0, effortHours: 4, defers: "Running an error tracker (and hosted Sentry) before anyone can hit an error"
  },
  {
    id: "S1-02", tier: "S1", title: "External uptime check on the health endpoint",
    trigger: { text: "The first real user signs up", measure: { metric: "signups_total", comparator: ">=", threshold: 1, unit: "sign-ups", days: 0 } },
    action: "Point a free external uptime monitor at the Caddy-exposed health endpoint; alert by email.",
    monthlyCostDelta: 0, effortHours: 1, defers: "Paging on downtime nobody but the founder would notice"
  },
  {
    id: "S1-03", tier: "S1", title: "Point-in-time recovery (WAL archiving)",
    trigger: { text: "The first payment is taken", measure: { metric: "payments_total", comparator: ">=", threshold: 1, unit: "payments", days: 0 } },
    action: "Archive WAL to object storage with wal-g so a restore can reach any minute, not only last night's dump; add it to the restore drill.",
    monthlyCostDelta: 1, effortHours: 6, defers: "Continuous archiving while nightly dumps lose at most a day of non-financial data"
  },
  {
    id: "S1-04", tier: "S1", title: "Transactional email provider",
    trigger: { text: "The first real user signs up", measure: { metric: "signups_total", comparator: ">=", threshold: 1, unit: "sign-ups", days: 0 } },
    action: "Send product email through a transactional provider with DKIM/SPF on the domain instead of the founder's mailbox.",
    monthlyCostDelta: 0, effortHours: 3, defers: "Email infrastructure before there is anyone to email"
  },
  {
    id: "S1-05", tier: "S1", title: "Per-error alerting",
    trigger: { text: "Errors exceed 5 a day for 3 days", measure: { metric: "errors_per_day", comparator: ">", threshold: 5, unit: "errors/day", days: 3 } },
    action: "Mail the founder a daily digest of new ops.errors (or GlitchTip alerts once S1-01 is done).",
    monthlyCostDelta: 0, effortHours: 2, defers: "Alert plumbing while `npm run status` shows the few errors there are"
  },
  // S2 — steady usage
  {
    id: "S2-01", tier: "S2", title: "Managed Postgres beside the droplet",
    trigger: { text: "Postgres host CPU above 60% for 7 days", measure: { metric: "host_cpu_percent", comparator: ">", threshold: 60, unit: "%", days: 7 } },
    action: "Add a managed Postgres cluster alongside the droplet and migrate the hub first (pg_dump/pg_restore, then the products).",
    monthlyCostDelta: 15, effortHours: 6, defers: "Paying for managed Postgres while one droplet has headroom"
  },
  {
    id: "S2-02", tier: "S2", title: "Resize the droplet to 8 GB",
    trigger: { text: "Load per core above 1.5 for 7 days", measure: { metric: "load_per_core", comparator: ">", threshold: 1.5, unit: "load/core", days: 7 } },
    action: "Resize the droplet (CPU and RAM only, so it can be resized back); retune shared_buffers and work_mem.",
    monthlyCostDelta: 24, effortHours: 1, defers: "A bigger machine before the small one is busy"
  },
  {
    id: "S2-03", tier: "S2", title: "Memory headroom",
    trigger: { text: "Memory used above 85% for 3 days", measure: { metric: "memory_used_percent", comparator: ">", threshold: 85, unit: "%", days: 3 } },
    action: "Cap container memory, lower work_mem for the ETL, or resize (S2-02).",
    monthlyCostDelta: 0, effortHours: 2, defers: "Memory tuning before memory is short"
  },
  {
    id: "S2-04", tier: "S2", title: "Connection pooling with PgBouncer",
    trigger: { text: "Connections above 70% of max_connections for 3 days", measure: { metric: "connections_percent", comparator: ">", threshold: 70, unit: "%", days: 3 } },
    action: "Put PgBouncer (transaction pooling) in front of the product databases; keep the assistant and the ETL on direct connections.",
    monthlyCostDelta: 0, effortHours: 4, defers: "Another moving part between the apps and Postgres"
  },
  {
    id: "S2-05", tier: "S2", title: "A block-storage volume for the data directory",
    trigger: { text: "Disk used above 75%", measure: { metric: "disk_used_percent", comparator: ">", threshold: 75, unit: "%", days: 0 } },
    action: "Attach a 100 GB volume, move the Postgres data directory onto it, keep the droplet disk for the OS and images.",
    monthlyCostDelta: 10, effortHours: 2, defers: "Paying for storage the data does not need yet"
  },
  {
    id: "S2-06", tier: "S2", title: "Partition the largest fact tables",
    trigger: { text: "The largest table passes 5 GB", measure: { metric: "largest_table_gb", comparator: ">", threshold: 5, unit: "GB", days: 0 } },
    action: "Range-partition it by month (Search Console rows first), so backfills, vacuum and retention work per month.",
    monthlyCostDelta: 0, effortHours: 8, defers: "Partitioning's complexity while every table is small"
  },
  {
    id: "S2-07", tier: "S2", title: "Incremental physical backups",
    trigger: { text: "A nightly backup takes longer than 15 minutes", measure: { metric: "backup_duration_minutes", comparator: ">", threshold: 15, unit: "min", days: 0 } },
    action: "Move from nightly pg_dump to pgBackRest (full weekly, incremental daily), keep one logical dump a week for the drill.",
    monthlyCostDelta: 0, effortHours: 8, defers: "Physical backup tooling while a logical dump is quick"
  },
  {
    id: "S2-08", tier: "S2", title: "Faster restores",
    trigger: { text: "The restore drill takes longer than 30 minutes", measure: { metric: "restore_minutes", comparator: ">", threshold: 30, unit: "min", days: 0 } },
    action: "Restore with parallel jobs (pg_restore -j), restore the hub before the warehouse, and rebuild the warehouse from the ETL instead of restoring it.",
    monthlyCostDelta: 0, effortHours: 4, defers: "Optimising a restore that is already fast"
  },
  {
    id: "S2-09", tier: "S2", title: "Move the nightly jobs off the database host",
    trigger: { text: "The nightly sync and ETL take longer than 60 minutes", measure: { metric: "nightly_job_minutes", comparator: ">", threshold: 60, unit: "min", days: 3 } },
    action: "Run the task-runner container on a second small droplet (or App Platform worker) against the private network.",
    monthlyCostDelta: 6, effortHours: 4, defers: "A second machine while the nightly run fits in the night"
  },
  // S3 — analytics competes with the product
  {
    id: "S3-01", tier: "S3", title: "Read replica for analytics",
    trigger: { text: "Product responses above 300 ms p95 for 7 days", measure: { metric: "product_p95_ms", comparator: ">", threshold: 300, unit: "ms", days: 7 } },
    action: "Add a read replica; point the assistant (mcp_ro) and the warehouse reads at it.",
    monthlyCostDelta: 15, effortHours: 4, defers: "A replica while analytics and the product share the box comfortably"
  },
  {
    id: "S3-02", tier: "S3", title: "The warehouse on its own server",
    trigger: { text: "The warehouse passes 20 GB", measure: { metric: "warehouse_size_gb", comparator: ">", threshold: 20, unit: "GB", days: 0 } },
    action: "Move the warehouse schema to a separate Postgres (the ETL already connects per database), keep mcp_ro pointed only at it.",
    monthlyCostDelta: 15, effortHours: 12, defers: "Splitting the warehouse out of the hub"
  },
  {
    id: "S3-03", tier: "S3", title: "Rollup tables for the named questions",
    trigger: { text: "The warehouse passes 5 GB", measure: { metric: "warehouse_size_gb", comparator: ">", threshold: 5, unit: "GB", days: 0 } },
    action: "Pre-aggregate the scorecard and opportunities per week in the ETL so each named question reads thousands of rows, not millions.",
    monthlyCostDelta: 0, effortHours: 6, defers: "Materialized rollups while plain models answer in milliseconds"
  },
  {
    id: "S3-04", tier: "S3", title: "API quota headroom",
    trigger: { text: "A source's daily quota is more than 80% used for 3 days", measure: { metric: "quota_used_percent", comparator: ">", threshold: 80, unit: "%", days: 3 } },
    action: "Stagger syncs, shrink the re-fetch window, or request a higher quota from the provider.",
    monthlyCostDelta: 0, effortHours: 3, defers: "Quota engineering while the daily budgets are mostly unused"
  },
  {
    id: "S3-05", tier: "S3", title: "A paid newsletter plan",
    trigger: { text: "The newsletter passes 1,000 subscribers", measure: { metric: "newsletter_subscribers", comparator: ">", threshold: 1000, unit: "subscribers", days: 0 } },
    action: "Move MailerLite to the paid tier (or self-host Listmonk on the droplet and keep MailerLite's history in the hub).",
    monthlyCostDelta: 10, effortHours: 2, defers: "Paying for the newsletter tool before the free tier is outgrown"
  },
  // S4 — storage
  {
    id: "S4-01", tier: "S4", title: "Cold backups to Backblaze B2",
    trigger: { text: "Backups in Spaces pass 100 GB", measure: { metric: "backups_total_gb", comparator: ">", threshold: 100, unit: "GB", days: 0 } },
    action: "Keep the last 7 daily backups in Spaces and move weekly and monthly ones to B2.",
    monthlyCostDelta: -3, effortHours: 2, defers: "A second storage provider while Spaces' included 250 GB suffices"
  },
  {
    id: "S4-02", tier: "S4", title: "Archive raw API payloads",
    trigger: { text: "Raw payloads pass 10 GB", measure: { metric: "raw_payloads_gb", comparator: ">", threshold: 10, unit: "GB", days: 0 } },
    action: "Move raw payloads older than 90 days to compressed files in object storage; keep the typed tables.",
    monthlyCostDelta: 0, effortHours: 4, defers: "Payload retention rules while replay data is cheap to keep"
  },
  {
    id: "S4-03", tier: "S4", title: "PostgreSQL major upgrade before 15's end of life",
    trigger: { text: "Fewer than 180 days until PostgreSQL 15's end of life (2027-11-11)", measure: { metric: "postgres_eol_days", comparator: "<", threshold: 180, unit: "days", days: 0 } },
    action: "Upgrade to the current major (pg_upgrade on a restored copy first, then the droplet), together with the client tools in the runner image.",
    monthlyCostDelta: 0, effortHours: 8, defers: "Upgrading a supported major version"
  },
  {
    id: "S4-04", tier: "S4", title: "Compressed, larger backup retention",
    trigger: { text: "A single backup passes 10 GB", measure: { metric: "backup_size_gb", comparator: ">", threshold: 10, unit: "GB", days: 0 } },
    action: "Exclude rebuildable data (warehouse, raw payloads) from nightly dumps and back them up weekly.",
    monthlyCostDelta: 0, effortHours: 3, defers: "Selective backups while a full dump is small"
  },
  {
    id: "S4-05", tier: "S4", title: "A database per product on its own volume",
    trigger: { text: "The databases together pass 50 GB", measure: { metric: "database_size_gb", comparator: ">", threshold: 50, unit: "GB", days: 0 } },
    action: "Give the largest product its own tablespace on a volume, or its own managed database.",
    monthlyCostDelta: 10, effortHours: 6, defers: "Per-product storage while everything fits on one disk"
  },
  // S5 — a second person, compliance
  {
    id: "S5-01", tier: "S5", title: "Personal database roles with audit logging",
    trigger: { text: "A second person needs access to the data" },
    action: "One login role per person (no shared credentials), pgaudit for reads of raw schemas, access reviewed monthly.",
    monthlyCostDelta: 0, effortHours: 6, defers: "Per-person access control while the founder is the only human"
  },
  {
    id: "S5-02", tier: "S5", title: "A staging environment",
    trigger: { text: "A second developer ships changes" },
    action: "A small staging droplet restored weekly from the pseudonymized warehouse only, never from raw data.",
    monthlyCostDelta: 12, effortHours: 6, defers: "A second environment nobody else would use"
  },
  {
    id: "S5-03", tier: "S5", title: "A secrets manager",
    trigger: { text: "More than one machine or person needs the production secrets" },
    action: "Move secrets from the droplet's .env to a secrets manager with per-service access and rotation.",
    monthlyCostDelta: 0, effortHours: 4, defers: "Secret infrastructure while one .env on one droplet suffices"
  },
  {
    id: "S5-04", tier: "S5", title: "Data processing agreement and deletion workflow",
    trigger: { text: "A customer, partner or regulator asks for a DPA or a deletion report" },
    action: "Write the DPA, list sub-processors, and script deletion of one person across hub, products and backups (by pseudonymous key).",
    monthlyCostDelta: 0, effortHours: 8, defers: "Compliance paperwork before anyone asks for it"
  },
  // S6 — acquisition or wind-down
  {
    id: "S6-01", tier: "S6", title: "Data room export",
    trigger: { text: "A letter of intent is signed" },
    action: "Export the warehouse and schemas with their docs; hand over the restore runbook and a tested backup.",
    monthlyCostDelta: 0, effortHours: 8, defers: "Preparing for a sale that may never come"
  },
  {
    id: "S6-02", tier: "S6", title: "Transfer of accounts and keys",
    trigger: { text: "The sale closes" },
    action: "Rotate every credential, move the droplet, Spaces, DNS and API accounts to the buyer, and destroy the old pseudonymization key.",
    monthlyCostDelta: 0, effortHours: 6, defers: "Account portability work"
  },
  {
    id: "S6-03", tier: "S6", title: "Wind-down and deletion",
    trigger: { text: "The founder decides to wind the business down" },
    action: "Final encrypted backup to cold storage with a set expiry, notify users, delete personal data, close the paid accounts.",
    monthlyCostDelta: -25, effortHours: 6, defers: "An exit plan while the business runs"
  }
]

export const backlog: ReadonlyArray<typeof BacklogItem.Type> = Schema.decodeUnknownSync(Schema.Array(BacklogItem))(items)

export const neverDo: ReadonlyArray<typeof NeverDo.Type> = Schema.decodeUnknownSync(Schema.Array(NeverDo))([
  { title: "Kubernetes", reason: "One droplet runs everything with Docker Compose; a cluster would cost more than the whole bill and need more care than the business." },
  { title: "Microservices", reason: "One SDK and small task scripts share one database; network boundaries between them would add failure modes and no capability." },
  { title: "A separate vector database", reason: "If embeddings are ever needed, pgvector in the same Postgres keeps them beside the data, behind the same roles and backups." },
  { title: "Hosted Sentry", reason: "The free tier drops events silently past its cap and a solo team hits the paid tier within months; GlitchTip on the droplet (S1-01) does the job." },
  { title: "A hosted data warehouse (BigQuery, Snowflake)", reason: "Per-query billing is the open-ended bill this project exists to avoid; the warehouse schema answers the questions in milliseconds." },
  { title: "Dashboards per tool", reason: "One brain you can ask beats six dashboards you check: questions go to the warehouse through the assistant." },
  { title: "Cross-database queries (postgres_fdw, dblink) between products", reason: "Products stay isolated; the ETL reads each database with its own connection and only pseudonymized data meets in the warehouse." },
  { title: "Giving the assistant a write or raw-data role", reason: "The PII firewall is a Postgres role; any shortcut around mcp_ro ends the promise that the AI cannot read personal data." }
])

const fixedBase = [
  { category: "compute", item: "Droplet, 4 GB / 2 vCPU", monthly: 24 },
  { category: "backups", item: "Spaces (250 GB included) for encrypted backups", monthly: 0 },
  { category: "network", item: "Cloudflare DNS and proxy, free tier", monthly: 0 },
  { category: "domains", item: "Domain (yearly, per month)", monthly: 1 }
] as const

/** The published ceilings: every category a fixed line item. Backups to Spaces are billed with the droplet's $5 Spaces plan only when used. */
export const costTiers: ReadonlyArray<CostTier> = Schema.decodeUnknownSync(Schema.Array(CostTierSchema))([
  { id: "mvp", title: "MVP", lineItems: [...fixedBase] },
  {
    id: "mvp_glitchtip",
    title: "MVP with GlitchTip",
    lineItems: [...fixedBase, { category: "monitoring", item: "GlitchTip on the same droplet (fits in 4 GB)", monthly: 0 }]
  },
  {
    id: "mvp_managed_postgres",
    title: "MVP with managed Postgres",
    lineItems: [...fixedBase, { category: "monitoring", item: "GlitchTip on the droplet", monthly: 0 }, { category: "database", item: "Managed Postgres, 1 GB node", monthly: 15 }]
  },
  {
    id: "mvp_read_replica",
    title: "MVP with read replica",
    lineItems: [
      ...fixedBase,
      { category: "monitoring", item: "GlitchTip on the droplet", monthly: 0 },
      { category: "database", item: "Managed Postgres, 1 GB node", monthly: 15 },
      { category: "database", item: "Read replica, 1 GB node", monthly: 15 }
    ]
  }
])
