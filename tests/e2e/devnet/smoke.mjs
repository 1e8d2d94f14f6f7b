// tests/e2e/devnet/smoke.mjs NETWORK_JSON — proves that the local network does what the bot
// needs, with plain HTTP (fetch) and no atproto client library:
//   PDS describeServer; createAccount ×2; createSession; uploadBlob (a PNG); createRecord of a
//   post with that image and a mention facet; the mentioned user's listNotifications shows the
//   mention within 5 s; getPosts shows the image; sync.getBlob returns the exact bytes.
// Exit status 0 when all of that holds; otherwise 1 with the step that failed.
import fs from 'node:fs'
import crypto from 'node:crypto'
import zlib from 'node:zlib'

const t0 = performance.now()
const ms = (t) => `${(performance.now() - t).toFixed(0)} ms`
const fail = (msg) => {
  console.error(`devnet_smoke: FAILED: ${msg}`)
  process.exit(1)
}
const check = (cond, msg) => cond || fail(msg)

const file = process.argv[2]
if (!file) fail('usage: node smoke.mjs NETWORK_JSON')
const net = JSON.parse(fs.readFileSync(file, 'utf8'))
for (const k of ['plc', 'pds', 'appview', 'ozone']) {
  const u = new URL(net[k])
  check(['localhost', '127.0.0.1'].includes(u.hostname), `${k} URL ${net[k]} is not on loopback`)
}

async function xrpc(method, nsid, { token, params, json, body, contentType, raw } = {}) {
  const url = new URL(`${net.pds}/xrpc/${nsid}`)
  for (const [k, v] of Object.entries(params ?? {})) url.searchParams.set(k, v)
  const headers = {}
  if (token) headers.authorization = `Bearer ${token}`
  if (json !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(json)
  } else if (contentType) {
    headers['content-type'] = contentType
  }
  const res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(10_000) })
  const buf = Buffer.from(await res.arrayBuffer())
  if (!res.ok) fail(`${method} ${nsid}: HTTP ${res.status}: ${buf.toString('utf8').slice(0, 500)}`)
  return raw ? { res, buf } : JSON.parse(buf.toString('utf8'))
}

// A real 3×2 RGB PNG, built here (signature, IHDR, IDAT, IEND with CRCs).
function png() {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    return c >>> 0
  })
  const crc = (b) => {
    let c = 0xffffffff
    for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8)
    return (c ^ 0xffffffff) >>> 0
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const c = Buffer.alloc(4)
    c.writeUInt32BE(crc(td))
    return Buffer.concat([len, td, c])
  }
  const [w, h] = [3, 2]
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(w, 0)
  ihdr.writeUInt32BE(h, 4)
  ihdr.set([8, 2, 0, 0, 0], 8) // 8-bit RGB
  const rows = []
  for (let y = 0; y < h; y++) {
    rows.push(0) // filter: none
    for (let x = 0; x < w; x++) rows.push(x * 100, y * 200, 50 + crypto.randomInt(200))
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.from(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

// 1. describeServer
let t = performance.now()
const desc = await xrpc('GET', 'com.atproto.server.describeServer')
check(desc.availableUserDomains?.includes('.test'), `describeServer: no .test domain: ${JSON.stringify(desc)}`)
console.log(`describeServer: ${desc.did}, domains ${desc.availableUserDomains.join(' ')} (${ms(t)})`)
// the services answer on IPv4 loopback too (a C++ client may resolve localhost either way)
for (const k of ['plc', 'pds', 'appview', 'ozone']) {
  const u = new URL(net[k])
  u.hostname = '127.0.0.1'
  u.pathname = k === 'plc' ? '/_health' : '/xrpc/_health'
  const r = await fetch(u, { signal: AbortSignal.timeout(5000) }).catch((e) => fail(`${u}: ${e.message}`))
  check(r.ok, `${u}: HTTP ${r.status}`)
}

// 2. two accounts; the handles are unique so that a network that stays up can be reused
const tag = crypto.randomBytes(3).toString('hex') // the part before .test: 3..18 characters
const users = {}
for (const name of ['alice', 'bob']) {
  t = performance.now()
  const handle = `${name}-${tag}.test`
  const password = crypto.randomBytes(12).toString('base64url')
  const acct = await xrpc('POST', 'com.atproto.server.createAccount', {
    json: { handle, email: `${name}-${tag}@example.com`, password },
  })
  check(acct.did?.startsWith('did:plc:') && acct.handle === handle, `createAccount ${handle}: ${JSON.stringify(acct)}`)
  // 3. a fresh session with the password, as the bot will do
  const sess = await xrpc('POST', 'com.atproto.server.createSession', { json: { identifier: handle, password } })
  check(sess.did === acct.did && sess.accessJwt, `createSession ${handle}: ${JSON.stringify(sess)}`)
  users[name] = { handle, did: acct.did, token: sess.accessJwt }
  console.log(`createAccount + createSession: ${handle} = ${acct.did} (${ms(t)})`)
}
const { alice, bob } = users

// 4. uploadBlob
t = performance.now()
const image = png()
const up = await xrpc('POST', 'com.atproto.repo.uploadBlob', { token: alice.token, body: image, contentType: 'image/png' })
const blob = up.blob
check(blob?.ref?.$link && blob.mimeType === 'image/png' && blob.size === image.length, `uploadBlob: ${JSON.stringify(up)}`)
console.log(`uploadBlob: ${image.length} bytes -> ${blob.ref.$link} (${ms(t)})`)

// 5. a post with the image and a mention facet (byte offsets in UTF-8; an emoji before it)
t = performance.now()
const before = 'héllo 🌍 '
const mention = `@${bob.handle}`
const text = `${before}${mention} what is in this picture?`
const byteStart = Buffer.byteLength(before, 'utf8')
const record = {
  $type: 'app.bsky.feed.post',
  text,
  createdAt: new Date().toISOString(),
  langs: ['en'],
  facets: [
    {
      index: { byteStart, byteEnd: byteStart + Buffer.byteLength(mention, 'utf8') },
      features: [{ $type: 'app.bsky.richtext.facet#mention', did: bob.did }],
    },
  ],
  embed: {
    $type: 'app.bsky.embed.images',
    images: [{ image: blob, alt: '', aspectRatio: { width: 3, height: 2 } }],
  },
}
const created = await xrpc('POST', 'com.atproto.repo.createRecord', {
  token: alice.token,
  json: { repo: alice.did, collection: 'app.bsky.feed.post', record },
})
check(created.uri?.startsWith(`at://${alice.did}/app.bsky.feed.post/`), `createRecord: ${JSON.stringify(created)}`)
const tPosted = performance.now()
console.log(`createRecord: ${created.uri} (${ms(t)})`)

// 6. the mention reaches bob's notifications (PDS -> firehose -> AppView) within 5 s
let note
while (!note) {
  const res = await xrpc('GET', 'app.bsky.notification.listNotifications', { token: bob.token, params: { limit: '50' } })
  note = res.notifications?.find((n) => n.uri === created.uri)
  if (note) break
  if (performance.now() - tPosted > 5000) fail(`no notification for ${created.uri} within 5 s: ${JSON.stringify(res)}`)
  await new Promise((r) => setTimeout(r, 50))
}
check(note.reason === 'mention', `notification reason ${note.reason}, want mention`)
check(note.author?.did === alice.did, `notification author ${JSON.stringify(note.author)}`)
check(note.record?.embed?.images?.[0]?.image?.ref?.$link === blob.ref.$link, 'notification record lost the image')
console.log(`listNotifications: mention visible ${(performance.now() - tPosted).toFixed(0)} ms after posting`)

// 7. the AppView's view of the post carries the image (fullsize URL on loopback)
t = performance.now()
const posts = await xrpc('GET', 'app.bsky.feed.getPosts', { token: bob.token, params: { uris: created.uri } })
const view = posts.posts?.[0]?.embed
check(view?.$type === 'app.bsky.embed.images#view' && view.images?.length === 1, `getPosts embed: ${JSON.stringify(view)}`)
const full = new URL(view.images[0].fullsize)
check(['localhost', '127.0.0.1'].includes(full.hostname), `fullsize URL ${full} is not on loopback`)
console.log(`getPosts: image view ${view.images[0].fullsize} (${ms(t)})`)

// 8. sync.getBlob returns exactly the uploaded bytes
t = performance.now()
const { res, buf } = await xrpc('GET', 'com.atproto.sync.getBlob', { params: { did: alice.did, cid: blob.ref.$link }, raw: true })
check(buf.equals(image), `getBlob returned ${buf.length} bytes that differ from the ${image.length} uploaded`)
console.log(`sync.getBlob: ${buf.length} identical bytes, content-type ${res.headers.get('content-type')} (${ms(t)})`)

console.log(`devnet_smoke: OK in ${ms(t0)}`)
