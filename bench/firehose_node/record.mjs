// bench/firehose_node/record.mjs — records a corpus of real firehose frames from the local network.
//
//   node record.mjs --network network.json --out FILE [--rounds N] [--image FILE]
//
// Subscribes to the PDS's com.atproto.sync.subscribeRepos (live, from now) with `ws`, then makes
// the network busy the way people are: a bot account and five users are created; every round each
// user posts (plain, with the bot's handle as a mention facet, with images, replies in threads,
// the bot's DID only in the text, a link), likes, reposts, follows, updates the profile, and
// deletes some posts, mentions included. When the stream has been quiet for a second the frames
// are written to FILE as they arrived, each preceded by its length (4 bytes, little-endian), and
// FILE.json describes the corpus: {"botDid", "frames", "bytes", "mentions"} where mentions is the
// number of posts created with a mention facet of the bot (what a mention filter must find).
// Exit 0 on success, 1 with one line on stderr on failure.
import { readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { AtpAgent } from '@atproto/api'
import WebSocket from 'ws'

const { values: args } = parseArgs({
  options: {
    network: { type: 'string' },
    out: { type: 'string' },
    rounds: { type: 'string', default: '25' },
    image: { type: 'string' },
  },
})
const die = (msg) => {
  console.error(`record: ${msg}`)
  process.exit(1)
}
if (!args.network || !args.out) die('usage: record.mjs --network network.json --out FILE')
const net = JSON.parse(readFileSync(args.network, 'utf8'))
const pds = net.pds
const rounds = Number(args.rounds)

// ------------------------------------------------------------------ the subscription
const frames = []
let lastFrameAt = Date.now()
const wsUrl = pds.replace(/^http/, 'ws') + '/xrpc/com.atproto.sync.subscribeRepos'
const ws = new WebSocket(wsUrl, { maxPayload: 8 << 20 })
ws.binaryType = 'nodebuffer'
ws.on('message', (data) => {
  frames.push(Buffer.from(data))
  lastFrameAt = Date.now()
})
ws.on('error', (err) => die(`subscribeRepos ${wsUrl}: ${err.message}`))
await new Promise((resolve) => ws.once('open', resolve))

// ------------------------------------------------------------------ the activity
const suffix = Math.random().toString(36).slice(2, 8)
async function account(name) {
  const agent = new AtpAgent({ service: pds })
  const handle = `${name}${suffix}.test`
  await agent.createAccount({ handle, email: `${handle}@example.com`, password: 'hunter22' })
  return { agent, handle, did: agent.session.did }
}
const enc = new TextEncoder()
function mentionFacet(text, handle, did) {
  const at = text.indexOf('@' + handle)
  const byteStart = enc.encode(text.slice(0, at)).length
  return {
    index: { byteStart, byteEnd: byteStart + enc.encode('@' + handle).length },
    features: [{ $type: 'app.bsky.richtext.facet#mention', did }],
  }
}

const bot = await account('fhbot')
const users = []
for (const name of ['ana', 'bo', 'chen', 'dara', 'eli']) users.push(await account(name))
const image = args.image ? readFileSync(args.image) : null
let mentions = 0
const posted = [] // {uri, cid, root}

const post = async (u, record) => {
  const r = await u.agent.post({ createdAt: new Date().toISOString(), ...record })
  return { uri: r.uri, cid: r.cid }
}
const sample = (list) => list[Math.floor(Math.random() * list.length)]

for (const u of users) {
  await u.agent.upsertProfile((p) => ({ ...p, displayName: u.handle, description: 'bench user' }))
  for (const v of users) if (v !== u) await u.agent.follow(v.did)
  await u.agent.follow(bot.did)
}
for (let round = 0; round < rounds; round++) {
  for (const [i, u] of users.entries()) {
    const langs = [sample(['en', 'es', 'pt', 'ja', 'de'])]
    // a plain post, sometimes with images
    let embed
    if (image && (round + i) % 3 === 0) {
      const blob = await u.agent.uploadBlob(image, { encoding: 'image/jpeg' })
      const images = [{ image: blob.data.blob, alt: '' }]
      if ((round + i) % 2 === 0) images.push({ image: blob.data.blob, alt: 'a house' })
      embed = { $type: 'app.bsky.embed.images', images }
    }
    const own = await post(u, { text: `round ${round}: out on the trail, the light was something else`, langs, embed })
    posted.push({ ...own, author: u })
    // a reply mentioning the bot under someone's post
    const target = sample(posted)
    const text = `@${bot.handle} could you describe this picture? (${round}.${i})`
    const root = target.root ?? { uri: target.uri, cid: target.cid }
    const m = await post(u, {
      text,
      langs,
      facets: [mentionFacet(text, bot.handle, bot.did)],
      reply: { root, parent: { uri: target.uri, cid: target.cid } },
    })
    mentions++
    posted.push({ ...m, root, author: u })
    // the bot's DID in the text only, and a mention of another user
    if ((round + i) % 4 === 0) await post(u, { text: `is ${bot.did} a bot?`, langs })
    const v = users[(i + 1) % users.length]
    const t2 = `hey @${v.handle} look at this`
    await post(u, { text: t2, langs, facets: [mentionFacet(t2, v.handle, v.did)] })
    // likes and reposts of others' posts
    const other = sample(posted)
    await u.agent.like(other.uri, other.cid)
    if ((round + i) % 2 === 0) await u.agent.repost(other.uri, other.cid)
    // deletions: own posts, now and then a mention
    if ((round + i) % 3 === 1) {
      const mine = posted.filter((p) => p.author === u)
      const victim = mine[mine.length - 1]
      await u.agent.deletePost(victim.uri)
      posted.splice(posted.indexOf(victim), 1)
    }
    if (round % 5 === 4) {
      await u.agent.upsertProfile((p) => ({ ...p, description: `bench user, round ${round}` }))
    }
  }
  if (posted.length > 200) posted.splice(0, posted.length - 200)
}

// ------------------------------------------------------------------ quiet, then write
while (Date.now() - lastFrameAt < 1000) await new Promise((r) => setTimeout(r, 200))
ws.close()
let bytes = 0
const parts = []
for (const f of frames) {
  const len = Buffer.alloc(4)
  len.writeUInt32LE(f.length)
  parts.push(len, f)
  bytes += f.length
}
writeFileSync(args.out, Buffer.concat(parts))
writeFileSync(args.out + '.json', JSON.stringify({ botDid: bot.did, frames: frames.length, bytes, mentions }) + '\n')
console.log(`recorded ${frames.length} frames (${bytes} bytes, ${mentions} mentions of ${bot.did}) to ${args.out}`)
process.exit(0)
