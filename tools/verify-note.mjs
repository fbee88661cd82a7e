#!/usr/bin/env node
// A second, independent implementation of aiflow's checkpoint checks, in Node.js 20 with nothing
// but its built-in crypto (Ed25519, SHA-256) and zlib: no npm packages, no code shared with aiflow.
//
//   node tools/verify-note.mjs <archive.zip> <verifier key, or a file holding it>
//
// It parses and verifies the archive's signed checkpoint (C2SP signed-note, C2SP tlog-checkpoint)
// with the verifier key <name>+<key id>+<base64(0x01 || Ed25519 key)>, recomputes the RFC 6962
// Merkle root from the leaves (the lines of events.jsonl, without their newlines), and checks every
// checkpoint of the log in transparency/checkpoints the same way. Exit 0: all hold; 1: something
// does not (each problem printed); 2: usage. aiflow's CI runs it against a bundle a test exported.

import { createHash, createPublicKey, verify } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';

const DASH = '\u2014 ';

function sha256(...parts) {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

// ---------------------------------------------------------------- zip (stored and deflated)

function readZip(buf) {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error('not a zip archive');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = new Map();
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory');
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    p += 46 + nameLen + extraLen + commentLen;
    if (name.endsWith('/')) continue;
    if (entries.has(name)) throw new Error(`entry '${name}' appears more than once`);
    if (buf.readUInt32LE(local) !== 0x04034b50) throw new Error('bad local header');
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + csize);
    entries.set(name, () => (method === 0 ? raw : method === 8 ? inflateRawSync(raw) : (() => {
      throw new Error(`entry '${name}' uses compression ${method}`);
    })()));
  }
  return entries;
}

// ---------------------------------------------------------------- keys and notes

function canonicalBase64(s) {
  const b = Buffer.from(s, 'base64');
  return b.toString('base64') === s ? b : null;
}

function validName(name) {
  return name.length > 0 && !name.includes('+') && !/\s/u.test(name);
}

function parseKey(vkey) {
  const first = vkey.indexOf('+');
  const second = vkey.indexOf('+', first + 1);
  if (first < 0 || second < 0) throw new Error('expected <name>+<key id>+<base64 key>');
  const name = vkey.slice(0, first);
  const id = vkey.slice(first + 1, second);
  const key = canonicalBase64(vkey.slice(second + 1));
  if (!validName(name) || !/^[0-9a-f]{8}$/.test(id)) throw new Error('bad name or key id');
  if (!key || key.length !== 33 || key[0] !== 1) throw new Error('not an Ed25519 (0x01) key');
  const computed = sha256(Buffer.from(name + '\n', 'utf8'), key).readUInt32BE(0);
  if (computed !== parseInt(id, 16)) throw new Error('the key id does not match name and key');
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), key.subarray(1)]);
  return { name, id: computed, key: createPublicKey({ key: spki, format: 'der', type: 'spki' }) };
}

// Opens a signed note as golang.org/x/mod/sumdb/note does; returns its text.
function openNote(note, key) {
  const bytes = Buffer.from(note, 'utf8');
  if (bytes.toString('utf8') !== note || /[\u0000-\u0009\u000b-\u001f]/.test(note)) {
    throw new Error('malformed note');
  }
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new Error('malformed note');
  const text = note.slice(0, split + 1);
  const sigs = note.slice(split + 2);
  if (!sigs.endsWith('\n')) throw new Error('malformed note');
  let verified = false;
  let count = 0;
  for (const line of sigs.slice(0, -1).split('\n')) {
    if (!line.startsWith(DASH)) throw new Error('malformed note');
    const rest = line.slice(DASH.length);
    const sp = rest.indexOf(' ');
    const name = sp < 0 ? rest : rest.slice(0, sp);
    const sig = sp < 0 ? null : canonicalBase64(rest.slice(sp + 1));
    if (!sig || !validName(name) || sig.length < 5 || ++count > 100) throw new Error('malformed note');
    if (name !== key.name || sig.readUInt32BE(0) !== key.id) continue; // someone else's
    if (!verify(null, Buffer.from(text, 'utf8'), key.key, sig.subarray(4))) {
      throw new Error(`invalid signature for key ${name}+${key.id.toString(16).padStart(8, '0')}`);
    }
    verified = true;
  }
  if (!verified) throw new Error('note has no verifiable signatures');
  return text;
}

function parseCheckpoint(text) {
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3 || !lines[0] || !/^(0|[1-9][0-9]{0,17})$/.test(lines[1])) {
    throw new Error('not a checkpoint (origin, size, root hash)');
  }
  const root = canonicalBase64(lines[2]);
  if (!root || root.length !== 32) throw new Error('the root hash is not base64 SHA-256');
  return { origin: lines[0], size: Number(lines[1]), root };
}

// ---------------------------------------------------------------- RFC 6962

function treeOf(leaves) {
  const levels = [leaves.map((l) => sha256(Buffer.from([0]), l))];
  for (let k = 0; levels[k].length > 1; k++) {
    const next = [];
    for (let i = 0; i + 1 < levels[k].length; i += 2) {
      next.push(sha256(Buffer.from([1]), levels[k][i], levels[k][i + 1]));
    }
    levels.push(next);
  }
  const hash = (start, end) => {
    const n = end - start;
    if ((n & (n - 1)) === 0 && start % n === 0) return levels[Math.log2(n)][start / n];
    let k = 1;
    while (k * 2 < n) k *= 2;
    return sha256(Buffer.from([1]), hash(start, start + k), hash(start + k, end));
  };
  return { size: leaves.length, root: (n) => (n === 0 ? sha256() : hash(0, n)) };
}

function linesOf(buf) {
  const lines = [];
  let start = 0;
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] === 0x0a) {
      lines.push(buf.subarray(start, i));
      start = i + 1;
    }
  }
  return { lines, tail: buf.length - start };
}

// ---------------------------------------------------------------- the checks

function main(args) {
  if (args.length !== 2) {
    console.error('usage: node verify-note.mjs <archive.zip> <verifier key or key file>');
    return 2;
  }
  let keyText = args[1].trim();
  if (existsSync(keyText) && statSync(keyText).isFile()) keyText = readFileSync(keyText, 'utf8').trim();
  let key;
  try {
    key = parseKey(keyText);
  } catch (e) {
    console.error(`verify-note: the verifier key is not valid: ${e.message}`);
    return 2;
  }
  const problems = [];
  let entries;
  try {
    entries = readZip(readFileSync(args[0]));
  } catch (e) {
    console.error(`FAIL ${e.message}`);
    return 1;
  }
  const manifest = JSON.parse(entries.get('aiflow-export.json')?.().toString('utf8') ?? 'null');
  if (!manifest || manifest.format !== 'aiflow-export') {
    console.error('FAIL not an aiflow export');
    return 1;
  }
  const events = entries.get('events.jsonl');
  const { lines, tail } = linesOf(events ? events() : Buffer.alloc(0));
  if (tail > 0) problems.push(`events.jsonl ends with ${tail} bytes that are not a line`);
  const tree = treeOf(lines);

  const check = (note, what) => {
    let cp;
    try {
      cp = parseCheckpoint(openNote(note, key));
    } catch (e) {
      problems.push(`${what} is not signed by ${key.name}: ${e.message}`);
      return null;
    }
    if (cp.origin !== key.name) {
      problems.push(`${what} is for log '${cp.origin}', the key for '${key.name}'`);
      return null;
    }
    if (cp.size > tree.size) {
      problems.push(`${what} covers ${cp.size} events, the chain has ${tree.size}: events were removed`);
    } else if (!tree.root(cp.size).equals(cp.root)) {
      problems.push(`${what}: the first ${cp.size} events do not hash to the signed root`);
    }
    return cp;
  };

  let signed = null;
  if (typeof manifest.checkpoint !== 'string') {
    problems.push('the manifest holds no signed checkpoint');
  } else {
    signed = check(manifest.checkpoint, "the manifest's checkpoint");
    if (signed && tree.size > signed.size) {
      problems.push(`events ${signed.size + 1} to ${tree.size} are not in the signed tree`);
    }
  }
  let ours = 0;
  const log = entries.get('transparency/checkpoints');
  if (log) {
    // records: a note followed by a blank line
    const text = log().toString('utf8');
    const records = text.split(/\n\n(?=[^\u2014\n])/);
    for (let i = 0; i < records.length; i++) {
      let record = records[i];
      if (i < records.length - 1) record += '\n';
      else if (record.endsWith('\n\n')) record = record.slice(0, -1);
      else continue; // an incomplete last record is not read
      if (record.slice(0, record.indexOf('\n')) !== key.name) continue;
      ours++;
      check(record, `transparency/checkpoints record ${i + 1}`);
    }
  }
  if (problems.length > 0) {
    for (const p of problems) console.error(`FAIL ${p}`);
    return 1;
  }
  console.log(
    `OK ${manifest.project_id}: ${tree.size} events, root ${signed.root.toString('base64')}` +
      ` signed by ${key.name}; ${ours} checkpoints in the log checked (node ${process.version})`,
  );
  return 0;
}

process.exitCode = main(process.argv.slice(2));
