const path = require('node:path');
(async () => {
  const duckdb = require('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs');
  const dist = path.dirname(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs'));
  const bundles = { mvp: { mainModule: path.join(dist, 'duckdb-mvp.wasm'), mainWorker: path.join(dist, 'duckdb-node-mvp.worker.cjs') }, eh: { mainModule: path.join(dist, 'duckdb-eh.wasm'), mainWorker: path.join(dist, 'duckdb-node-eh.worker.cjs') } };
  const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
  await db.instantiate(); db.open({}); const c = db.connect();
  const f = path.resolve(process.argv[2]);
  let t = performance.now();
  const buf = require('node:fs').readFileSync(f);
  db.registerFileBuffer('/aw/in.csv', new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
  console.log('register', (performance.now()-t)/1000);
  c.query("SET allowed_directories = ['/aw/']"); c.query('SET enable_external_access = false'); c.query('SET lock_configuration = true');
  const cols = Array.from({length: 18}, (_, k) => `'c${k}': 'VARCHAR'`).join(',');
  t = performance.now();
  c.query(`CREATE TABLE raw_csv AS SELECT * FROM read_csv('/aw/in.csv', columns={${cols}}, header=false, skip=1, auto_detect=false, delim=',', quote='"', escape='"', encoding='utf-8', strict_mode=true, null_padding=false, store_rejects=true, rejects_table='e1', rejects_scan='s1')`);
  console.log('ctas', (performance.now()-t)/1000, c.query('select count(*)::int n from raw_csv').toArray()[0].toJSON(), c.query('select count(*)::int n from e1').toArray()[0].toJSON());
  try { c.query(`SELECT * FROM read_csv('/etc/passwd')`); console.log('LEAK'); } catch (e) { console.log('blocked:', String(e).slice(0, 120)); }
  db.dropFile('/aw/in.csv');
  try { c.query(`SELECT count(*) FROM read_csv('/aw/in.csv')`); console.log('still readable'); } catch (e) { console.log('dropped:', String(e).slice(0, 100)); }
})().catch(e => { console.error(e); process.exit(1); });
