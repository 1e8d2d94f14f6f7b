// bench/firehose_node/reference.mjs — the Node anchor of bench/firehose: the same work as the C++
// path, done by the atproto team's own libraries, over the same corpus file.
//
//   node reference.mjs --corpus FILE --bot-did DID [--seconds S] [--no-validate]
//
// Per frame, as @atproto/sync's Firehose does for each WebSocket message: Frame.fromBytes
// (@atproto/xrpc-server's ensureChunkIsMessage: the header and body CBOR), the body typed with
// its $type and validated against the subscribeRepos lexicon (skipped with --no-validate), then
// for #commit parseCommitUnauthenticated(evt, posts only) (@atproto/repo's readCar, which checks
// every block's CID, and cborToLexRecord for each post record), then the mention filter: a post
// create whose facets carry an app.bsky.richtext.facet#mention of the bot's DID is a mention; a
// post delete is a deletion. Error frames (op -1) throw in ensureChunkIsMessage and are counted.
//
// The corpus (4-byte little-endian length, frame; see record.mjs) is read into memory, one warm-up
// pass runs, then whole passes until S seconds (default 3) are spent, on this one thread.
// Prints one JSON line: {frames, bytes, seconds, framesPerSec, framesPerCpuSec (the process's
// user + system time), mbPerSec, passes, perPass:
// {mentions, deletions, errors}, rssBeforeMb, rssAfterMb, maxRssMb, validate}.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { parseCommitUnauthenticated } from '@atproto/sync'
import { ensureChunkIsMessage } from '@atproto/xrpc-server'

const { values: args } = parseArgs({
  options: {
    corpus: { type: 'string' },
    'bot-did': { type: 'string' },
    seconds: { type: 'string', default: '3' },
    'no-validate': { type: 'boolean', default: false },
  },
})
if (!args.corpus || !args['bot-did']) {
  console.error('reference: usage: reference.mjs --corpus FILE --bot-did DID [--seconds S]')
  process.exit(1)
}
const validate = !args['no-validate']
const bots = new Set([args['bot-did']])
const method = 'com.atproto.sync.subscribeRepos'

// The subscribeRepos lexicon the Firehose validates with (not exported from the package root).
const syncEntry = createRequire(import.meta.url).resolve('@atproto/sync')
const { com } = await import(pathToFileURL(join(dirname(syncEntry), 'lexicons', 'index.js')).href)
const message = com.atproto.sync.subscribeRepos.$message

const data = readFileSync(args.corpus)
const frames = []
for (let off = 0; off + 4 <= data.length; ) {
  const len = data.readUInt32LE(off)
  frames.push(data.subarray(off + 4, off + 4 + len))
  off += 4 + len
}
const isPost = (col) => col === 'app.bsky.feed.post'

async function pass() {
  let mentions = 0
  let deletions = 0
  let errors = 0
  for (const chunk of frames) {
    let msg
    try {
      msg = ensureChunkIsMessage(chunk)
    } catch {
      errors++
      continue
    }
    const t = msg.header.t
    let evt = { ...msg.body, $type: t.startsWith('#') ? method + t : t }
    if (validate) {
      const r = message.safeParse(evt)
      if (!r.success) {
        errors++
        continue
      }
      evt = r.value
    }
    if (t !== '#commit') continue
    let writes
    try {
      writes = await parseCommitUnauthenticated(evt, isPost)
    } catch {
      errors++
      continue
    }
    for (const w of writes) {
      if (w.collection !== 'app.bsky.feed.post') continue
      if (w.event === 'delete') {
        deletions++
      } else if (w.event === 'create') {
        let hit = false
        for (const facet of w.record.facets ?? []) {
          for (const f of facet.features ?? []) {
            if (f.$type === 'app.bsky.richtext.facet#mention' && bots.has(f.did)) hit = true
          }
        }
        if (hit) mentions++
      }
    }
  }
  return { mentions, deletions, errors }
}

const mb = (b) => Math.round((b / (1 << 20)) * 10) / 10
const rssBefore = process.memoryUsage().rss
const perPass = await pass() // warm-up (JIT)
const seconds = Number(args.seconds)
let passes = 0
const t0 = process.hrtime.bigint()
const cpu0 = process.cpuUsage()
let elapsed = 0
do {
  await pass()
  passes++
  elapsed = Number(process.hrtime.bigint() - t0) / 1e9
} while (elapsed < seconds)
const cpu = process.cpuUsage(cpu0)
const cpuSeconds = (cpu.user + cpu.system) / 1e6
const n = frames.length * passes
const bytes = frames.reduce((s, f) => s + f.length, 0) * passes
console.log(
  JSON.stringify({
    frames: n,
    bytes,
    seconds: elapsed,
    framesPerSec: n / elapsed,
    framesPerCpuSec: n / cpuSeconds,
    mbPerSec: bytes / (1 << 20) / elapsed,
    passes,
    perPass,
    rssBeforeMb: mb(rssBefore),
    rssAfterMb: mb(process.memoryUsage().rss),
    maxRssMb: mb(process.resourceUsage().maxRSS * 1024),
    validate,
  }),
)
