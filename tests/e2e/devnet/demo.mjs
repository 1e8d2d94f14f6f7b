// tests/e2e/devnet/demo.mjs — the network side of scripts/demo, with plain HTTP (fetch):
//
//   node demo.mjs post NETWORK_JSON IMAGE
//       creates a bot account (its password comes from $ALTSCRIBE_APP_PASSWORD, never argv) and
//       a user; the user posts IMAGE, then replies to that post mentioning the bot (with a
//       mention facet). Prints one line on stdout: PDS_URL PLC_URL BOT_HANDLE MENTION_URI
//   node demo.mjs show NETWORK_JSON MENTION_URI PARTS
//       prints the thread as the AppView shows it — the post, the mention, the bot's reply
//       parts — waiting up to 15 s until PARTS replies of the bot are visible.
// Errors: one line on stderr ("demo: error: ...") and exit status 1.
import fs from 'node:fs'
import path from 'node:path'
import crypto from 'node:crypto'

const die = (msg) => {
  console.error(`demo: error: ${msg}`)
  process.exit(1)
}
const [cmd, netFile, ...args] = process.argv.slice(2)
let net
try {
  net = JSON.parse(fs.readFileSync(netFile, 'utf8'))
} catch (e) {
  die(`cannot read the network description ${netFile} (${e.message}): start it with tests/e2e/devnet/up.sh`)
}

async function xrpc(base, method, nsid, { token, params, json, body, contentType } = {}) {
  const url = new URL(`${base}/xrpc/${nsid}`)
  for (const [k, v] of Object.entries(params ?? {})) url.searchParams.set(k, v)
  const headers = {}
  if (token) headers.authorization = `Bearer ${token}`
  if (json !== undefined) body = JSON.stringify(json)
  if (json !== undefined || contentType) headers['content-type'] = contentType ?? 'application/json'
  const res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(15_000) }).catch((e) =>
    die(`${method} ${url.origin} ${nsid}: ${e.cause?.message ?? e.message} (is the network up?)`),
  )
  const text = await res.text()
  if (!res.ok) die(`${nsid}: HTTP ${res.status}: ${text.slice(0, 300)}`)
  return JSON.parse(text)
}
const pds = (...a) => xrpc(net.pds, ...a)

async function post(image) {
  const password = process.env.ALTSCRIBE_APP_PASSWORD
  if (!password) die('set ALTSCRIBE_APP_PASSWORD to the password the bot account should get')
  let bytes
  try {
    bytes = fs.readFileSync(image)
  } catch (e) {
    die(`cannot read the image ${image}: ${e.message}`)
  }
  // Unique handles (3-18 characters before .test): the network may be reused across runs.
  const tag = crypto.randomBytes(3).toString('hex')
  const account = async (name, pw) => {
    const handle = `${name}-${tag}.test`
    const a = await pds('POST', 'com.atproto.server.createAccount', {
      json: { handle, email: `${name}-${tag}@example.com`, password: pw },
    })
    console.error(`created @${handle} (${a.did})`)
    return { handle, did: a.did, token: a.accessJwt }
  }
  const bot = await account('scribe', password)
  const user = await account('alice', crypto.randomBytes(12).toString('base64url'))

  const create = (record) =>
    pds('POST', 'com.atproto.repo.createRecord', {
      token: user.token,
      json: { repo: user.did, collection: 'app.bsky.feed.post', record: { $type: 'app.bsky.feed.post', ...record } },
    })
  const { blob } = await pds('POST', 'com.atproto.repo.uploadBlob', {
    token: user.token,
    body: bytes,
    contentType: 'image/jpeg',
  })
  const root = await create({
    text: 'Took this on my walk today 📷',
    createdAt: new Date().toISOString(),
    langs: ['en'],
    embed: { $type: 'app.bsky.embed.images', images: [{ image: blob, alt: '' }] },
  })
  console.error(`@${user.handle} posted ${path.basename(image)} without alt text: ${root.uri}`)

  const mention = `@${bot.handle}`
  const text = `${mention} could you describe my picture?`
  const ref = { uri: root.uri, cid: root.cid }
  const reply = await create({
    text,
    createdAt: new Date().toISOString(),
    langs: ['en'],
    reply: { root: ref, parent: ref },
    facets: [
      {
        index: { byteStart: 0, byteEnd: Buffer.byteLength(mention, 'utf8') },
        features: [{ $type: 'app.bsky.richtext.facet#mention', did: bot.did }],
      },
    ],
  })
  console.error(`@${user.handle} replied "${text}": ${reply.uri}`)
  console.log(`${net.pds} ${net.plc} ${bot.handle} ${reply.uri}`)
}

// Word-wraps TEXT to WIDTH columns, each line indented by PAD.
const wrap = (text, pad, width = 96) =>
  text
    .split('\n')
    .map((line) => {
      const out = []
      let cur = ''
      for (const word of line.split(' ')) {
        if (cur && cur.length + 1 + word.length > width - pad.length) out.push(cur), (cur = word)
        else cur = cur ? `${cur} ${word}` : word
      }
      return [...out, cur].map((l) => (pad + l).trimEnd()).join('\n')
    })
    .join('\n')

async function show(mentionUri, parts) {
  // The AppView's public read API (no session needed), as any Bluesky client would show it.
  let thread
  let replies = []
  for (const deadline = Date.now() + 15_000; ; ) {
    const res = await xrpc(net.appview, 'GET', 'app.bsky.feed.getPostThread', {
      params: { uri: mentionUri, depth: '20', parentHeight: '1' },
    })
    thread = res.thread
    replies = []
    for (let node = thread; ; ) {
      node = node.replies?.find((r) => r.post?.author?.handle !== thread.post.author.handle)
      if (!node) break
      replies.push(node.post)
    }
    if (replies.length >= parts) break
    if (Date.now() > deadline) die(`the AppView shows ${replies.length} of the bot's ${parts} replies after 15 s`)
    await new Promise((r) => setTimeout(r, 250))
  }
  const images = (p) => {
    const imgs = p.embed?.images ?? []
    if (!imgs.length) return ''
    const alts = imgs.filter((i) => i.alt).length
    return `  [${imgs.length} image${imgs.length > 1 ? 's' : ''}, ${alts ? `${alts} with` : 'no'} alt text]`
  }
  const print = (label, p) => {
    console.log(`${label} @${p.author.handle}  ${p.uri}`)
    console.log(wrap(p.record.text + images(p), '    '))
  }
  if (thread.parent?.post) print('post', thread.parent.post)
  print('mention', thread.post)
  replies.forEach((p, i) => print(`reply ${i + 1}/${replies.length}`, p))
}

if (cmd === 'post' && args.length === 1) await post(args[0])
else if (cmd === 'show' && args.length === 2) await show(args[0], Number(args[1]))
else die('usage: node demo.mjs post NETWORK_JSON IMAGE | show NETWORK_JSON MENTION_URI PARTS')
