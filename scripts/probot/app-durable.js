// The Probot app of the side-by-side comparison that does the job design-review's intake does
// (scripts/compare-probot.sh): each `pull_request` delivery is committed to a SQLite database
// before it is acknowledged, the way a Probot app would keep deliveries it must not lose.
// better-sqlite3 (synchronous, the usual choice for SQLite in Node) with the same settings as
// design-review's SQLite store: WAL, and `synchronous = FULL` so that every commit is fsynced.
// A delivery id seen before is ignored, as design-review answers a redelivery as a duplicate.
import Database from "better-sqlite3";

const db = new Database(process.env.DELIVERY_DB ?? "deliveries.db");
db.pragma("journal_mode = WAL");
db.pragma("synchronous = FULL");
db.exec(`CREATE TABLE IF NOT EXISTS deliveries (
  id TEXT PRIMARY KEY,
  event TEXT NOT NULL,
  action TEXT,
  payload TEXT NOT NULL,
  received_at INTEGER NOT NULL
)`);
const insert = db.prepare("INSERT OR IGNORE INTO deliveries VALUES (?, ?, ?, ?, ?)");

export default (app) => {
  app.on("pull_request", async (context) => {
    insert.run(
      context.id,
      context.name,
      context.payload.action ?? null,
      JSON.stringify(context.payload),
      Date.now(),
    );
  });
  app.on("ping", async () => {});
};
