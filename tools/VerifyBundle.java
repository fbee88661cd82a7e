/*
 * Stand-alone verifier for aiflow export bundles. One source file, nothing but a JDK 17:
 *
 *     java tools/VerifyBundle.java <archive.zip> <verifier key, or a file holding it>
 *
 * It does what `aiflow log verify-bundle` does, without aiflow's jar, so an auditor need not trust
 * it: every file listed in the archive's manifest (aiflow-export.json) has its SHA-256 and nothing
 * else is in the archive; the manifest's checkpoint (C2SP tlog-checkpoint, C2SP signed note) is
 * signed by the given Ed25519 verifier key (<name>+<key id>+<base64(0x01 || key)>) for the log the
 * key names; the project chain (events.jsonl) has exactly as many events as the signed tree, and
 * the RFC 6962 Merkle tree of its lines (without their newlines) has the signed root; every
 * checkpoint of this log in transparency/checkpoints is signed by the key and has the root of the
 * chain's first events at its size; every task chain holds exactly its task's lines; every large
 * content file has the SHA-256 its event names; the manifest's count and head match the chain.
 *
 * Exit 0: everything holds. Exit 1: something does not (every problem is printed). Exit 2: usage.
 * The formats are in aiflow's docs/chain-format.md.
 */

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

public class VerifyBundle {

  static final String MANIFEST = "aiflow-export.json";
  static final String EVENTS = "events.jsonl";
  static final String CHECKPOINT_LOG = "transparency/checkpoints";
  static final String DASH = "\u2014 ";

  final List<String> problems = new ArrayList<>();
  final List<String> notes = new ArrayList<>();

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: java VerifyBundle.java <archive.zip> <verifier key or key file>");
      System.exit(2);
    }
    Key key;
    try {
      key = Key.parse(keyText(args[1]));
    } catch (IllegalArgumentException e) {
      System.err.println("VerifyBundle: the verifier key is not valid: " + e.getMessage());
      System.exit(2);
      return;
    }
    VerifyBundle v = new VerifyBundle();
    String summary = v.verify(Path.of(args[0]), key);
    for (String n : v.notes) {
      System.out.println("  " + n);
    }
    if (v.problems.isEmpty()) {
      System.out.println("OK " + summary);
      System.exit(0);
    }
    for (String p : v.problems) {
      System.err.println("FAIL " + p);
    }
    System.err.println(
        "VerifyBundle: the bundle does not verify: " + v.problems.size() + " problem(s)");
    System.exit(1);
  }

  static String keyText(String arg) throws IOException {
    Path p = Path.of(arg.strip());
    try {
      if (Files.isRegularFile(p) && Files.size(p) < 4096) {
        return Files.readString(p, StandardCharsets.UTF_8).strip();
      }
    } catch (java.nio.file.InvalidPathException e) {
      // the key itself
    }
    return arg.strip();
  }

  // ------------------------------------------------------------------ the checks

  String verify(Path archive, Key key) {
    try (ZipFile zip = new ZipFile(archive.toFile())) {
      return verify(zip, key);
    } catch (java.util.zip.ZipException e) {
      problems.add("not a zip archive: " + archive);
    } catch (IOException e) {
      problems.add("cannot read " + archive + ": " + e.getMessage());
    }
    return null;
  }

  String verify(ZipFile zip, Key key) throws IOException {
    Map<String, ZipEntry> entries = new LinkedHashMap<>();
    for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
      ZipEntry entry = e.nextElement();
      if (!entry.isDirectory() && entries.put(entry.getName(), entry) != null) {
        problems.add("entry '" + entry.getName() + "' appears more than once");
      }
    }
    if (!entries.containsKey(MANIFEST)) {
      problems.add(MANIFEST + " is missing: not an aiflow export");
      return null;
    }
    Object parsed;
    try {
      parsed = Json.parse(new String(read(zip, entries.get(MANIFEST)), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      problems.add(MANIFEST + " is not valid JSON");
      return null;
    }
    if (!(parsed instanceof Map<?, ?> manifest)
        || !"aiflow-export".equals(manifest.get("format"))
        || !(manifest.get("files") instanceof List<?>)) {
      problems.add(MANIFEST + " is not an aiflow export manifest");
      return null;
    }
    Object projectId = manifest.get("project_id");

    // 1. files and hashes
    Map<String, String> sha = new TreeMap<>();
    TreeSet<String> unlisted = new TreeSet<>(entries.keySet());
    unlisted.remove(MANIFEST);
    for (Object o : (List<?>) manifest.get("files")) {
      Map<?, ?> f = (Map<?, ?>) o;
      String path = String.valueOf(f.get("path"));
      unlisted.remove(path);
      ZipEntry entry = entries.get(path);
      if (entry == null) {
        problems.add("the manifest lists '" + path + "' but the archive does not hold it");
        continue;
      }
      MessageDigest md = sha();
      long length = 0;
      try (InputStream in = zip.getInputStream(entry)) {
        byte[] buf = new byte[1 << 16];
        int r;
        while ((r = in.read(buf)) > 0) {
          md.update(buf, 0, r);
          length += r;
        }
      }
      String actual = HexFormat.of().formatHex(md.digest());
      Object bytes = f.get("bytes");
      if (!actual.equals(f.get("sha256"))
          || !(bytes instanceof Long n && n == length)) {
        problems.add(
            "'" + path + "' has SHA-256 " + actual + " but the manifest says " + f.get("sha256"));
      } else {
        sha.put(path, actual);
      }
    }
    for (String u : unlisted) {
      problems.add("entry '" + u + "' is not in the manifest");
    }
    notes.add(sha.size() + " files match the manifest's SHA-256");

    // 2. the signed checkpoint
    Checkpoint cp = null;
    Object note = manifest.get("checkpoint");
    if (!(note instanceof String)) {
      problems.add("the manifest holds no signed checkpoint (exported without one)");
    } else {
      cp = open((String) note, key, "the manifest's checkpoint");
    }
    if (manifest.get("verifier_key") instanceof String k && !k.equals(key.text)) {
      notes.add("the archive names another verifier key than the one given: the given one was used");
    }

    // 3. the leaves
    if (!entries.containsKey(EVENTS)) {
      problems.add(EVENTS + " is missing");
      return null;
    }
    Tree tree = new Tree();
    List<Line> events = new ArrayList<>();
    int tail;
    try (InputStream in = zip.getInputStream(entries.get(EVENTS))) {
      Map<String, String> taskIds = new java.util.HashMap<>();
      tail = forEachLine(in, (buf, off, len) -> {
        tree.append(buf, off, len);
        Line l = Line.of(buf, off, len);
        // one String per task, and only the last event's hash: a million lines stay small
        String task = l.taskId == null ? null : taskIds.computeIfAbsent(l.taskId, t -> t);
        if (!events.isEmpty()) {
          Line prev = events.get(events.size() - 1);
          events.set(events.size() - 1, new Line(prev.taskId, null, prev.contentPath, prev.contentSha));
        }
        events.add(new Line(task, l.eventHash, l.contentPath, l.contentSha));
      });
    }
    long n = tree.size;
    if (tail > 0) {
      problems.add(EVENTS + " ends with " + tail + " bytes that are not a complete line");
    }
    if (cp != null) {
      if (n < cp.size) {
        problems.add(
            "the chain has " + n + " events but the signed checkpoint covers " + cp.size
                + ": events were removed");
      } else {
        if (n > cp.size) {
          problems.add(
              "events " + (cp.size + 1) + " to " + n + " are not in the signed tree of " + cp.size
                  + " events: appended after it was signed");
        }
        if (!Arrays.equals(tree.root(cp.size), cp.root)) {
          problems.add(
              "the first " + cp.size + " events do not hash to the signed root "
                  + Base64.getEncoder().encodeToString(cp.root)
                  + ": an event was changed, inserted or reordered");
        }
      }
    }

    // 4. the checkpoint log
    checkLog(zip, entries, key, tree, (String) (note instanceof String ? note : null));

    // 5. task chains and large content
    checkTasks(zip, entries, tree, events, sha);

    // 6. the manifest's claims
    if (!(manifest.get("events") instanceof Long count && count == n)) {
      problems.add("the manifest says " + manifest.get("events") + " events, the chain has " + n);
    }
    if (!events.isEmpty()) {
      Object head = events.get(events.size() - 1).eventHash;
      if (head != null && !head.equals(manifest.get("project_head"))) {
        problems.add("the manifest's project_head is not the chain's last event_hash " + head);
      }
    }
    notes.add(n + " events in " + EVENTS);
    return "bundle of " + projectId + ": " + n + " events, all in the tree signed by " + key.name
        + (cp == null ? "" : " (root " + Base64.getEncoder().encodeToString(cp.root) + ")");
  }

  void checkLog(ZipFile zip, Map<String, ZipEntry> entries, Key key, Tree tree, String manifestNote)
      throws IOException {
    ZipEntry entry = entries.get(CHECKPOINT_LOG);
    if (entry == null) {
      notes.add("no checkpoint log in the archive");
      return;
    }
    String log = new String(read(zip, entry), StandardCharsets.UTF_8);
    // records: text lines, a blank line, signature lines, a blank line
    List<String> records = new ArrayList<>();
    int start = 0;
    int pos = 0;
    boolean inSigs = false;
    int sigs = 0;
    while (true) {
      int nl = log.indexOf('\n', pos);
      if (nl < 0) {
        break;
      }
      String line = log.substring(pos, nl);
      pos = nl + 1;
      if (!inSigs) {
        if (line.isEmpty()) {
          if (pos - 1 == start) {
            problems.add(CHECKPOINT_LOG + ": record " + (records.size() + 1) + " has no text");
            return;
          }
          inSigs = true;
          sigs = 0;
        }
      } else if (line.isEmpty()) {
        if (sigs == 0) {
          problems.add(CHECKPOINT_LOG + ": record " + (records.size() + 1) + " has no signature");
          return;
        }
        records.add(log.substring(start, pos - 1));
        start = pos;
        inSigs = false;
      } else if (line.startsWith(DASH)) {
        sigs++;
      } else {
        problems.add(CHECKPOINT_LOG + ": record " + (records.size() + 1) + " has a stray line");
        return;
      }
    }
    if (start < log.length()) {
      notes.add(CHECKPOINT_LOG + " ends with an incomplete record (not read)");
    }
    long previous = -1;
    int ours = 0;
    int others = 0;
    String last = null;
    for (int i = 0; i < records.size(); i++) {
      String record = records.get(i);
      if (!record.substring(0, record.indexOf('\n')).equals(key.name)) {
        others++;
        continue;
      }
      ours++;
      last = record;
      String what = CHECKPOINT_LOG + " record " + (i + 1);
      Checkpoint cp = open(record, key, what);
      if (cp == null) {
        continue;
      }
      if (cp.size < previous) {
        problems.add(what + " has " + cp.size + " events, fewer than the one before it");
      }
      previous = cp.size;
      if (cp.size > tree.size) {
        problems.add(what + " covers " + cp.size + " events, the chain has " + tree.size);
      } else if (!Arrays.equals(tree.root(cp.size), cp.root)) {
        problems.add(what + ": the chain's first " + cp.size + " events do not hash to its root");
      }
    }
    if (manifestNote != null && !manifestNote.equals(last)) {
      problems.add("the manifest's checkpoint is not the last one in " + CHECKPOINT_LOG);
    }
    notes.add(ours + " checkpoints of this log checked against the chain");
    if (others > 0) {
      notes.add(others + " checkpoints of other logs (before an import) not checked");
    }
  }

  void checkTasks(
      ZipFile zip, Map<String, ZipEntry> entries, Tree tree, List<Line> events,
      Map<String, String> sha) throws IOException {
    Map<String, List<Integer>> byTask = new TreeMap<>();
    for (int i = 0; i < events.size(); i++) {
      Line e = events.get(i);
      if (e.taskId != null) {
        byTask.computeIfAbsent(e.taskId, t -> new ArrayList<>()).add(i);
        if (e.contentPath != null) {
          String path = "tasks/" + e.taskId + "/" + e.contentPath;
          String have = sha.get(path);
          if (have == null || !have.equals(e.contentSha)) {
            problems.add(
                "event " + (i + 1) + " names content " + path + " with SHA-256 " + e.contentSha
                    + (have == null ? ", which the archive does not hold" : ", the file has " + have));
          }
        }
      }
    }
    TreeSet<String> files = new TreeSet<>();
    for (String name : entries.keySet()) {
      if (name.startsWith("tasks/") && name.endsWith("/events.jsonl")) {
        files.add(name.substring(6, name.length() - "/events.jsonl".length()));
      }
    }
    for (String task : files) {
      String name = "tasks/" + task + "/events.jsonl";
      List<byte[]> got = new ArrayList<>();
      int tail;
      try (InputStream in = zip.getInputStream(entries.get(name))) {
        tail = forEachLine(in, (buf, off, len) -> got.add(leafHash(buf, off, len)));
      }
      if (tail > 0) {
        problems.add(name + " ends with bytes that are not a complete line");
      }
      List<Integer> expected = byTask.getOrDefault(task, List.of());
      int same = 0;
      while (same < got.size() && same < expected.size()
          && Arrays.equals(got.get(same), tree.leaf(expected.get(same)))) {
        same++;
      }
      if (same != got.size() || same != expected.size()) {
        problems.add(
            name + " is not the task's " + expected.size() + " lines of the project chain (it has "
                + got.size() + ", the first " + same + " match)");
      }
    }
    for (String task : byTask.keySet()) {
      if (!files.contains(task)) {
        problems.add("task " + task + " has events in the project chain but no events.jsonl");
      }
    }
  }

  /** Opens a checkpoint note with the key; null (and a problem) when it does not verify. */
  Checkpoint open(String note, Key key, String what) {
    try {
      String text = Note.open(note.getBytes(StandardCharsets.UTF_8), key);
      Checkpoint cp = Checkpoint.parse(text);
      if (!cp.origin.equals(key.name)) {
        problems.add(what + " is for log '" + cp.origin + "', the key for '" + key.name + "'");
        return null;
      }
      return cp;
    } catch (IllegalArgumentException e) {
      problems.add(what + " is not signed by " + key.name + ": " + e.getMessage());
      return null;
    }
  }

  /** What the checks need of one event line. */
  static final class Line {
    final String taskId;
    final String eventHash;
    final String contentPath;
    final String contentSha;

    Line(String taskId, String eventHash, String contentPath, String contentSha) {
      this.taskId = taskId;
      this.eventHash = eventHash;
      this.contentPath = contentPath;
      this.contentSha = contentSha;
    }

    static Line of(byte[] buf, int off, int len) {
      Object o;
      try {
        o = Json.parse(new String(buf, off, len, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
        return new Line(null, null, null, null); // still a leaf; the chain's verification names it
      }
      if (!(o instanceof Map<?, ?> m)) {
        return new Line(null, null, null, null);
      }
      Map<?, ?> ref = m.get("code_content_ref") instanceof Map<?, ?> r ? r : Map.of();
      return new Line(
          m.get("task_id") instanceof String t ? t : null,
          m.get("event_hash") instanceof String h ? h : null,
          ref.get("path") instanceof String p ? p : null,
          ref.get("sha256") instanceof String x ? x : null);
    }
  }

  // ------------------------------------------------------------------ bytes and lines

  interface LineVisitor {
    void line(byte[] buf, int off, int len);
  }

  /** Visits every '\n'-terminated line of a stream; returns the bytes after the last newline. */
  static int forEachLine(InputStream in, LineVisitor v) throws IOException {
    byte[] buf = new byte[1 << 16];
    int start = 0;
    int limit = 0;
    while (true) {
      int scan = limit;
      if (limit == buf.length) {
        if (start > 0) {
          System.arraycopy(buf, start, buf, 0, limit - start);
          limit -= start;
          scan = limit;
          start = 0;
        } else {
          buf = Arrays.copyOf(buf, buf.length * 2);
        }
      }
      int r = in.read(buf, limit, buf.length - limit);
      if (r < 0) {
        return limit - start;
      }
      limit += r;
      for (int i = scan; i < limit; i++) {
        if (buf[i] == '\n') {
          v.line(buf, start, i - start);
          start = i + 1;
        }
      }
    }
  }

  static byte[] read(ZipFile zip, ZipEntry entry) throws IOException {
    try (InputStream in = zip.getInputStream(entry)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toByteArray();
    }
  }

  static MessageDigest sha() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] sha256(byte[] b) {
    return sha().digest(b);
  }

  // ------------------------------------------------------------------ RFC 6962

  static byte[] leafHash(byte[] b, int off, int len) {
    MessageDigest md = sha();
    md.update((byte) 0);
    md.update(b, off, len);
    return md.digest();
  }

  static byte[] nodeHash(byte[] l, byte[] r) {
    MessageDigest md = sha();
    md.update((byte) 1);
    md.update(l);
    md.update(r);
    return md.digest();
  }

  /** The tree, with every complete subtree's hash kept, so a root of any size is cheap. */
  static final class Tree {
    final List<Hashes> levels = new ArrayList<>();
    long size;

    /** A growable array of 32-byte hashes. */
    static final class Hashes {
      byte[] a = new byte[32 * 64];
      int count;

      void add(byte[] h) {
        if ((count + 1) * 32 > a.length) {
          a = Arrays.copyOf(a, a.length * 2);
        }
        System.arraycopy(h, 0, a, count * 32, 32);
        count++;
      }

      byte[] get(long i) {
        return Arrays.copyOfRange(a, (int) (i * 32), (int) (i * 32 + 32));
      }
    }

    void append(byte[] b, int off, int len) {
      byte[] h = leafHash(b, off, len);
      long i = size++;
      level(0).add(h);
      int k = 0;
      while ((i & 1) == 1) {
        h = nodeHash(levels.get(k).get(i - 1), h);
        level(k + 1).add(h);
        i >>= 1;
        k++;
      }
    }

    Hashes level(int k) {
      while (levels.size() <= k) {
        levels.add(new Hashes());
      }
      return levels.get(k);
    }

    byte[] leaf(long i) {
      return levels.get(0).get(i);
    }

    byte[] root(long n) {
      return n == 0 ? sha256(new byte[0]) : hash(0, n);
    }

    byte[] hash(long start, long end) {
      long n = end - start;
      if (Long.bitCount(n) == 1 && start % n == 0) {
        return levels.get(Long.numberOfTrailingZeros(n)).get(start / n);
      }
      long k = Long.highestOneBit(n - 1);
      return nodeHash(hash(start, start + k), hash(start + k, end));
    }
  }

  // ------------------------------------------------------------------ notes and keys

  /** A C2SP signed-note Ed25519 verifier key. */
  static final class Key {
    final String text;
    final String name;
    final int id;
    final PublicKey key;

    Key(String text, String name, int id, PublicKey key) {
      this.text = text;
      this.name = name;
      this.id = id;
      this.key = key;
    }

    static Key parse(String vkey) {
      String[] parts = vkey.split("\\+", 3);
      if (parts.length != 3 || !validName(parts[0]) || !parts[1].matches("[0-9a-f]{8}")) {
        throw new IllegalArgumentException("expected <name>+<key id>+<base64 key>");
      }
      byte[] raw = base64(parts[2]);
      if (raw == null || raw.length != 33 || raw[0] != 1) {
        throw new IllegalArgumentException("not an Ed25519 (type 0x01) key");
      }
      int id = (int) Long.parseLong(parts[1], 16);
      if (id != keyId(parts[0], raw)) {
        throw new IllegalArgumentException("the key id does not match the name and key");
      }
      try {
        byte[] spki = HexFormat.of().parseHex("302a300506032b6570032100");
        byte[] der = Arrays.copyOf(spki, 44);
        System.arraycopy(raw, 1, der, 12, 32);
        PublicKey pk = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
        return new Key(vkey, parts[0], id, pk);
      } catch (java.security.GeneralSecurityException e) {
        throw new IllegalArgumentException("not an Ed25519 public key");
      }
    }

    static int keyId(String name, byte[] typeAndKey) {
      MessageDigest md = sha();
      md.update(name.getBytes(StandardCharsets.UTF_8));
      md.update((byte) '\n');
      md.update(typeAndKey);
      return ByteBuffer.wrap(md.digest()).getInt();
    }

    boolean verify(byte[] message, byte[] signature) {
      try {
        Signature s = Signature.getInstance("Ed25519");
        s.initVerify(key);
        s.update(message);
        return s.verify(signature);
      } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
        return false;
      }
    }
  }

  static boolean validName(String name) {
    return !name.isEmpty()
        && name.indexOf('+') < 0
        && name.codePoints().noneMatch(c -> Character.isWhitespace(c) || Character.isSpaceChar(c));
  }

  static byte[] base64(String s) {
    try {
      byte[] b = Base64.getDecoder().decode(s);
      return Base64.getEncoder().encodeToString(b).equals(s) ? b : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** C2SP signed-note opening (as golang.org/x/mod/sumdb/note does) against one key. */
  static final class Note {
    static String open(byte[] msg, Key key) {
      String all;
      try {
        all = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(msg)).toString();
      } catch (CharacterCodingException e) {
        throw new IllegalArgumentException("malformed note");
      }
      for (int i = 0; i < all.length(); i++) {
        if (all.charAt(i) < 0x20 && all.charAt(i) != '\n') {
          throw new IllegalArgumentException("malformed note");
        }
      }
      int split = all.lastIndexOf("\n\n");
      if (split < 0) {
        throw new IllegalArgumentException("malformed note");
      }
      String text = all.substring(0, split + 1);
      String sigs = all.substring(split + 2);
      if (sigs.isEmpty() || !sigs.endsWith("\n")) {
        throw new IllegalArgumentException("malformed note");
      }
      byte[] message = text.getBytes(StandardCharsets.UTF_8);
      boolean verified = false;
      int count = 0;
      for (String line : sigs.substring(0, sigs.length() - 1).split("\n", -1)) {
        if (!line.startsWith(DASH)) {
          throw new IllegalArgumentException("malformed note");
        }
        String rest = line.substring(DASH.length());
        int sp = rest.indexOf(' ');
        String name = sp < 0 ? rest : rest.substring(0, sp);
        byte[] sig = sp < 0 ? null : base64(rest.substring(sp + 1));
        if (sig == null || !validName(name) || sig.length < 5 || ++count > 100) {
          throw new IllegalArgumentException("malformed note");
        }
        int id = ByteBuffer.wrap(sig, 0, 4).getInt();
        if (!name.equals(key.name) || id != key.id) {
          continue; // another key's signature (a witness, another log): not ours to check
        }
        if (!key.verify(message, Arrays.copyOfRange(sig, 4, sig.length))) {
          throw new IllegalArgumentException(
              "invalid signature for key " + name + "+" + String.format("%08x", id));
        }
        verified = true;
      }
      if (!verified) {
        throw new IllegalArgumentException("note has no verifiable signatures");
      }
      return text;
    }
  }

  /** A C2SP tlog-checkpoint body. */
  static final class Checkpoint {
    final String origin;
    final long size;
    final byte[] root;

    Checkpoint(String origin, long size, byte[] root) {
      this.origin = origin;
      this.size = size;
      this.root = root;
    }

    static Checkpoint parse(String text) {
      String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
      if (lines.length < 3 || lines[0].isEmpty() || !lines[1].matches("0|[1-9][0-9]{0,17}")) {
        throw new IllegalArgumentException("not a checkpoint (origin, size, root hash)");
      }
      byte[] root = base64(lines[2]);
      if (root == null || root.length != 32) {
        throw new IllegalArgumentException("the checkpoint's root hash is not base64 SHA-256");
      }
      return new Checkpoint(lines[0], Long.parseLong(lines[1]), root);
    }
  }

  // ------------------------------------------------------------------ a small JSON reader

  /** Objects (LinkedHashMap), arrays (List), strings, integers (Long), other numbers, booleans. */
  static final class Json {
    final String s;
    int i;

    Json(String s) {
      this.s = s;
    }

    static Object parse(String s) {
      Json j = new Json(s);
      Object v = j.value();
      j.ws();
      if (j.i != s.length()) {
        throw new IllegalArgumentException("trailing characters");
      }
      return v;
    }

    void ws() {
      while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
        i++;
      }
    }

    Object value() {
      ws();
      if (i >= s.length()) {
        throw new IllegalArgumentException("unexpected end");
      }
      char c = s.charAt(i);
      if (c == '{') {
        i++;
        Map<String, Object> m = new LinkedHashMap<>();
        ws();
        if (peek('}')) {
          return m;
        }
        do {
          ws();
          if (s.charAt(i) != '"') {
            throw new IllegalArgumentException("expected a member name");
          }
          String k = string();
          ws();
          expect(':');
          m.put(k, value());
          ws();
        } while (peek(','));
        expect('}');
        return m;
      }
      if (c == '[') {
        i++;
        List<Object> l = new ArrayList<>();
        ws();
        if (peek(']')) {
          return l;
        }
        do {
          l.add(value());
          ws();
        } while (peek(','));
        expect(']');
        return l;
      }
      if (c == '"') {
        return string();
      }
      if (s.startsWith("true", i)) {
        i += 4;
        return Boolean.TRUE;
      }
      if (s.startsWith("false", i)) {
        i += 5;
        return Boolean.FALSE;
      }
      if (s.startsWith("null", i)) {
        i += 4;
        return null;
      }
      int start = i;
      while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
        i++;
      }
      String num = s.substring(start, i);
      if (num.isEmpty()) {
        throw new IllegalArgumentException("unexpected character");
      }
      if (num.matches("-?(0|[1-9][0-9]{0,17})")) {
        return Long.parseLong(num);
      }
      return Double.parseDouble(num);
    }

    boolean peek(char c) {
      if (i < s.length() && s.charAt(i) == c) {
        i++;
        return true;
      }
      return false;
    }

    void expect(char c) {
      if (!peek(c)) {
        throw new IllegalArgumentException("expected '" + c + "'");
      }
    }

    String string() {
      expect('"');
      StringBuilder b = new StringBuilder();
      while (true) {
        if (i >= s.length()) {
          throw new IllegalArgumentException("unterminated string");
        }
        char c = s.charAt(i++);
        if (c == '"') {
          return b.toString();
        }
        if (c != '\\') {
          b.append(c);
          continue;
        }
        char e = s.charAt(i++);
        switch (e) {
          case '"', '\\', '/' -> b.append(e);
          case 'b' -> b.append('\b');
          case 'f' -> b.append('\f');
          case 'n' -> b.append('\n');
          case 'r' -> b.append('\r');
          case 't' -> b.append('\t');
          case 'u' -> {
            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
            i += 4;
          }
          default -> throw new IllegalArgumentException("bad escape");
        }
      }
    }
  }
}
