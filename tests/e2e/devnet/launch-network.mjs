// tests/e2e/devnet/launch-network.mjs — runs a local Bluesky network (PLC + PDS + AppView +
// bsync + Ozone) from @atproto/dev-env's TestNetwork until SIGTERM/SIGINT. up.sh starts it.
//
// Environment:
//   DEVNET_APP_DIR     the directory whose node_modules holds @atproto/dev-env (install.sh's app/)
//   DB_POSTGRES_URL    postgresql://… (the AppView, bsync and Ozone keep their state there)
//   DB_POSTGRES_SCHEMA suffix of the schema names: letters and '_' only
//   REDIS_HOST         host:port (the network refuses to start without it)
//   PLC_PORT PDS_PORT BSKY_PORT OZONE_PORT   fixed ports (loopback URLs are published)
//   READY_FILE         where the network description (JSON) is written once everything answers
//   TMPDIR             the PDS keeps its SQLite files and blobs in fresh folders under it
//
// While it runs, labels applied through Ozone are copied into the AppView (see "Label ingestion").
//
// READY_FILE, written atomically (temporary file + rename) when the network is up:
//   { "plc", "pds", "appview", "ozone": base URLs (http://localhost:PORT, no trailing slash),
//     "pdsDid", "appviewDid", "ozoneDid", "adminUsername", "adminPassword",
//     "handleDomains": [".test", …], "postgres", "redis", "pid", "startupMs", "startedAt" }
// Exit status: 0 after a clean shutdown, 1 when starting or closing failed.
import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

const t0 = Date.now()
const log = (...a) => console.log(`[launch-network ${new Date().toISOString()}]`, ...a)
const need = (name) => {
  const v = process.env[name]
  if (!v) {
    console.error(`launch-network: ${name} is not set`)
    process.exit(1)
  }
  return v
}
const port = (name) => {
  const n = Number(need(name))
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    console.error(`launch-network: ${name}=${process.env[name]} is not a port`)
    process.exit(1)
  }
  return n
}

const appDir = need('DEVNET_APP_DIR')
const schema = need('DB_POSTGRES_SCHEMA')
if (!/^[A-Za-z_]+$/.test(schema)) {
  console.error(`launch-network: DB_POSTGRES_SCHEMA=${schema}: letters and '_' only`)
  process.exit(1)
}
need('DB_POSTGRES_URL')
need('REDIS_HOST')
const PLC_PORT = port('PLC_PORT')
const PDS_PORT = port('PDS_PORT')
const BSKY_PORT = port('BSKY_PORT')
const OZONE_PORT = port('OZONE_PORT')

// The launcher lives in the checkout, its dependencies in the cache: resolve from there.
const entry = createRequire(path.join(appDir, 'package.json')).resolve('@atproto/dev-env')
const { TestNetwork } = await import(pathToFileURL(entry).href)

let network
let closing = false
const shutdown = async (why) => {
  if (closing) return
  closing = true
  log(`${why}: closing the network`)
  const timer = setTimeout(() => {
    console.error('launch-network: close timed out after 20 s')
    process.exit(1)
  }, 20_000)
  let code = 0
  try {
    await network?.close()
  } catch (err) {
    console.error('launch-network: close failed:', err)
    code = 1
  }
  clearTimeout(timer)
  log('closed')
  process.exit(code)
}
process.on('SIGTERM', () => shutdown('SIGTERM'))
process.on('SIGINT', () => shutdown('SIGINT'))
process.on('SIGHUP', () => {}) // outlive the shell that started us

try {
  network = await TestNetwork.create({
    dbPostgresSchema: schema,
    plc: { port: PLC_PORT },
    pds: {
      port: PDS_PORT,
      hostname: 'localhost',
      enableDidDocWithSession: true,
    },
    bsky: {
      port: BSKY_PORT,
      // image URLs in views become http://localhost:BSKY_PORT/img/<preset>/plain/<did>/<cid>@jpeg
      publicUrl: `http://localhost:${BSKY_PORT}`,
    },
    ozone: {
      port: OZONE_PORT,
      chatUrl: 'http://localhost:1', // no chat service; only chat moderation would need one
      chatDid: 'did:example:chat',
      dbMaterializedViewRefreshIntervalMs: 30_000,
    },
  })
} catch (err) {
  console.error('launch-network: the network did not start:', err)
  process.exit(1)
}
if (closing) await new Promise(() => {}) // a signal came during start-up: shutdown() exits

const info = {
  plc: network.plc.url,
  pds: network.pds.url,
  appview: network.bsky.url,
  ozone: network.ozone.url,
  pdsDid: network.pds.ctx.cfg.service.did,
  appviewDid: network.bsky.ctx.cfg.serverDid,
  ozoneDid: network.ozone.ctx.cfg.service.did,
  adminUsername: 'admin',
  adminPassword: 'admin-pass', // @atproto/dev-env's fixed ADMIN_PASSWORD (PDS and Ozone)
  handleDomains: network.pds.ctx.cfg.identity.serviceHandleDomains,
  postgres: process.env.DB_POSTGRES_URL,
  redis: process.env.REDIS_HOST,
  pid: process.pid,
  startupMs: Date.now() - t0,
  startedAt: new Date().toISOString(),
}
// Tests must only ever talk to loopback.
for (const k of ['plc', 'pds', 'appview', 'ozone']) {
  const host = new URL(info[k]).hostname
  if (host !== 'localhost' && host !== '127.0.0.1') {
    console.error(`launch-network: ${k} URL ${info[k]} is not on loopback`)
    await shutdown('not loopback')
  }
}
// Label ingestion. In production a separate ingester follows each labeler's label stream into
// the AppView's database; @atproto/bsky has none in-process, so a label applied through Ozone
// would never show on a view. This loop does the ingester's job: it reads Ozone's labels
// (com.atproto.label.queryLabels, by cursor) and writes them into the AppView's `label` table;
// a negation removes the label. Labels appear on views about a quarter of a second later.
let labelCursor = '0'
const ingestLabels = async () => {
  const url = `${info.ozone}/xrpc/com.atproto.label.queryLabels?uriPatterns=*&limit=250` +
    `&cursor=${encodeURIComponent(labelCursor)}`
  const res = await fetch(url)
  if (!res.ok) throw new Error(`queryLabels answered ${res.status}`)
  const body = await res.json()
  const db = network.bsky.db.db
  for (const l of body.labels ?? []) {
    const key = { src: l.src, uri: l.uri, cid: l.cid ?? '', val: l.val }
    if (l.neg) {
      await db.deleteFrom('label').where('src', '=', key.src).where('uri', '=', key.uri)
        .where('cid', '=', key.cid).where('val', '=', key.val).execute()
    } else {
      await db.insertInto('label').values({ ...key, neg: false, cts: l.cts, exp: l.exp ?? null })
        .onConflict((oc) => oc.doNothing()).execute()
    }
  }
  if (body.cursor) labelCursor = body.cursor
}
const labelLoop = async () => {
  while (!closing) {
    try {
      await ingestLabels()
    } catch (err) {
      if (!closing) log('label ingestion:', err.message ?? err)
    }
    await new Promise((r) => setTimeout(r, 250))
  }
}
void labelLoop()

const ready = process.env.READY_FILE
if (ready) {
  const tmp = `${ready}.tmp-${process.pid}`
  fs.writeFileSync(tmp, JSON.stringify(info, null, 2) + '\n', { mode: 0o644 })
  fs.renameSync(tmp, ready)
}
log(`ready in ${info.startupMs} ms:`, JSON.stringify(info))
