// The decision benchmark's baseline: the least a Node server can do for the same question — a bare
// node:http server answering one prepared, indexed SELECT through a `pg` pool of the API's size.
// No auth, no tenant scope, no validation, no framework.
import { createServer } from 'node:http';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE ?? 10) });
const lookup = {
  name: 'baseline_consent',
  text: 'SELECT granted, expires_at FROM consent_states WHERE brand_id = $1 AND subject_id = $2 AND purpose_key = $3',
};

createServer(async (req, res) => {
  if (req.url === '/healthz') return res.end('ok');
  const query = new URL(req.url, 'http://x').searchParams;
  try {
    const { rows } = await pool.query({ ...lookup, values: [process.env.BRAND_ID, query.get('subjectId'), query.get('purpose')] });
    const body = JSON.stringify({ allowed: rows[0]?.granted === true, reasons: [rows[0]?.granted ? 'consent-granted' : 'no-consent'] });
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  } catch (error) {
    res.writeHead(500).end(String(error));
  }
}).listen(Number(process.env.PORT), '127.0.0.1');
