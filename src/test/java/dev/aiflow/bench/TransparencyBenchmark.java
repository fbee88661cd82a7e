package dev.aiflow.bench;

import dev.aiflow.logger.AttemptRecord;
import dev.aiflow.logger.ChainLines;
import dev.aiflow.logger.Durability;
import dev.aiflow.logger.LoggerOptions;
import dev.aiflow.logger.WorkflowLogger;
import dev.aiflow.transparency.BundleVerifier;
import dev.aiflow.transparency.Checkpoint;
import dev.aiflow.transparency.CheckpointKeys;
import dev.aiflow.transparency.ConsistencyProof;
import dev.aiflow.transparency.InclusionProof;
import dev.aiflow.transparency.Proofs;
import dev.aiflow.transparency.Rfc6962;
import dev.aiflow.transparency.SignedNote;
import dev.aiflow.transparency.Transparency;
import dev.aiflow.transparency.VerifierKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Signed checkpoints and proofs of a project chain of 1,000,000 events (docs/performance.md):
 *
 * <ul>
 *   <li>{@code issueAfterAppend}: one event appended (not measured), then a checkpoint signed by a
 *       running server: read the new line, prove consistency with the last checkpoint, sign, append
 *       to the checkpoint log with fsync. Next to it {@code ed25519Sign} and {@code
 *       fsyncSmallAppend}, the two costs it cannot avoid;
 *   <li>{@code inclusionProof}, {@code consistencyProof}: a proof served by a running server;
 *   <li>{@code verifyInclusion}, {@code verifyConsistency}, {@code openCheckpoint}: what a verifier
 *       spends on a proof and a signed checkpoint;
 *   <li>{@code coldProof}: a new process (the CLI) reading the whole chain into its tree, then
 *       proving;
 *   <li>{@code verifyBundle}: {@code log verify-bundle} on the exported 1,000,000-event archive.
 * </ul>
 *
 * The 1,000,000-event project (about 500 MB) and its export are built once under {@code
 * target/bench-transparency/} and reused by later runs. Run: {@code ./mvnw -B -Pbench verify
 * -Dbench.args=TransparencyBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = "-Xmx6g")
public class TransparencyBenchmark {

  static final int EVENTS = 1_000_000;
  static final String PROJECT = "bench";
  static final Path HOME = Path.of("target", "bench-transparency").toAbsolutePath();

  /** The million-event project, a key, and a running issuer with its tree in memory. */
  @State(Scope.Benchmark)
  public static class Million {
    Path root;
    Path archive;
    Transparency transparency;
    VerifierKey key;
    long size;
    byte[] root0;
    String note;
    InclusionProof inclusion;
    byte[] leaf;
    ConsistencyProof consistency;
    byte[] oldRoot;
    WorkflowLogger appender;
    final SplittableRandom random = new SplittableRandom(42);
    int next;

    @Setup(Level.Trial)
    public void open() throws IOException {
      root = HOME.resolve("workflow");
      archive = HOME.resolve("bench.zip");
      if (!Files.exists(HOME.resolve("READY"))) {
        build(root);
      }
      CheckpointKeys keys = CheckpointKeys.resolve(HOME, null);
      transparency = new Transparency(root, keys);
      key = transparency.verifierKey(PROJECT);
      if (!Files.exists(archive)) {
        try (WorkflowLogger log = WorkflowLogger.open(root, PROJECT)) {
          log.export(archive, transparency.exportExtras());
        }
      }
      Transparency.Issued issued = transparency.issue(PROJECT); // warms the tree
      size = issued.checkpoint().size();
      root0 = issued.checkpoint().root();
      note = issued.note();
      long seq = size / 3 * 2;
      inclusion = transparency.inclusionProof(PROJECT, seq);
      leaf = leafOf(seq);
      consistency = transparency.consistencyProof(PROJECT, size - 1000, 0);
      // the root at size - 1000 is the one a verifier would hold from an earlier checkpoint
      oldRoot = rootAt(size - 1000);
      appender =
          WorkflowLogger.open(
              root, PROJECT, LoggerOptions.defaults().withDurability(Durability.SYNC));
      next = appender.task("T-next").hasAttempts() ? appender.task("T-next").lastS() + 1 : 0;
      System.out.printf(
          "%n[sizes at %,d events] checkpoint note %d bytes; inclusion proof %d hashes (%d bytes),"
              + " tlog-proof text %d bytes; consistency proof from %,d: %d hashes (%d bytes);"
              + " archive %,d bytes%n",
          size,
          note.getBytes(StandardCharsets.UTF_8).length,
          inclusion.hashes().size(),
          inclusion.hashes().size() * 32,
          inclusion.format().getBytes(StandardCharsets.UTF_8).length,
          size - 1000,
          consistency.hashes().size(),
          consistency.hashes().size() * 32,
          Files.size(archive));
    }

    byte[] leafOf(long seq) throws IOException {
      byte[][] out = new byte[1][];
      long[] n = {0};
      ChainLines.read(
          ChainLines.projectEvents(root, PROJECT),
          0,
          (buf, off, len) -> {
            if (++n[0] == seq) {
              out[0] = Rfc6962.leafHash(Rfc6962.sha256(), buf, off, len);
            }
          });
      return out[0];
    }

    /** RFC 6962's MTH of the first {@code n} lines, straight from its definition. */
    byte[] rootAt(long n) throws IOException {
      List<byte[]> leaves = new ArrayList<>();
      ChainLines.read(
          ChainLines.projectEvents(root, PROJECT),
          0,
          (buf, off, len) -> {
            if (leaves.size() < n) {
              leaves.add(Rfc6962.leafHash(Rfc6962.sha256(), buf, off, len));
            }
          });
      return mth(leaves, 0, leaves.size());
    }

    static byte[] mth(List<byte[]> leaves, int from, int to) {
      if (to - from == 1) {
        return leaves.get(from);
      }
      int k = Integer.highestOneBit(to - from - 1);
      return Rfc6962.nodeHash(mth(leaves, from, from + k), mth(leaves, from + k, to));
    }

    @TearDown(Level.Trial)
    public void close() {
      appender.close();
    }
  }

  /** 1,000,000 attempts over 100 tasks, with the fields a real attempt carries. */
  static void build(Path root) throws IOException {
    if (Files.exists(root)) {
      LoggerBenchmark.deleteTree(root);
    }
    Files.deleteIfExists(HOME.resolve("bench.zip"));
    WorkflowLogger.init(root, PROJECT);
    try (WorkflowLogger log =
        WorkflowLogger.open(
            root, PROJECT, LoggerOptions.defaults().withDurability(Durability.GROUP_COMMIT))) {
      List<AttemptRecord> batch = new ArrayList<>(2000);
      // with project_initialized, EVENTS events in all
      for (int i = 0; i < EVENTS - 1; i++) {
        int task = i % 100;
        batch.add(
            AttemptRecord.builder("T-" + task)
                .pointer(0, i / 100)
                .acceptanceSnapshot(
                    List.of("AC-1: parser tests pass", "AC-2: no file outside src/"))
                .codeChangeSummary("Handle empty labels in the parser and cover them with a test.")
                .executedFiles(
                    List.of("src/main/java/Parser.java", "src/test/java/ParserTest.java"))
                .executedCommands(List.of("./mvnw -q test -Dtest=ParserTest"))
                .testResults("12 passed, 2 failed")
                .result(i % 3 == 0 ? "PASS" : "FAIL")
                .reasonCode(i % 3 == 0 ? "PASS_ALL_CRITERIA" : "TESTS_FAIL")
                .reasonDetail("2 of 14 tests failed in the parser module")
                .build());
        if (batch.size() == 2000 || i == EVENTS - 2) {
          log.logAttempts(batch);
          batch.clear();
        }
      }
    }
    Files.writeString(HOME.resolve("READY"), EVENTS + "\n");
  }

  // ------------------------------------------------------------------ signing

  /** A running server signs a checkpoint after one more event. */
  @State(Scope.Thread)
  public static class OneMore {
    @Setup(Level.Invocation)
    public void append(Million m) {
      m.appender.logAttempt(
          AttemptRecord.builder("T-next")
              .pointer(0, m.next++)
              .result("FAIL")
              .reasonCode("TESTS_FAIL")
              .testResults("1 failed")
              .build());
    }
  }

  @Benchmark
  public Transparency.Issued issueAfterAppend(Million m, OneMore appended) {
    Transparency.Issued issued = m.transparency.issue(PROJECT);
    if (!issued.fresh()) {
      throw new IllegalStateException("nothing was signed");
    }
    return issued;
  }

  /** The signature alone over a checkpoint's text. */
  @State(Scope.Thread)
  public static class RawKey {
    KeyPair pair;
    byte[] seed;
    byte[] publicKey = new byte[32];
    byte[] text;

    @Setup(Level.Trial)
    public void make() throws Exception {
      pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      seed = ((java.security.interfaces.EdECPrivateKey) pair.getPrivate()).getBytes().get();
      // as NoteSigner does once per signer: derived from the seed, not taken from elsewhere
      org.bouncycastle.math.ec.rfc8032.Ed25519.generatePublicKey(seed, 0, publicKey, 0);
      // a checkpoint body of the million-event log's shape (origin, size, root), without building
      // the log: the signature's cost does not depend on what the text says
      text =
          ("aiflow.invalid/0123456789abcdef/bench\n1000000\n"
                  + java.util.Base64.getEncoder().encodeToString(new byte[32])
                  + "\n")
              .getBytes(StandardCharsets.UTF_8);
    }
  }

  /**
   * Ed25519 as the server signs (Bouncy Castle's RFC 8032 code, NoteSigner): with the public key
   * NoteSigner derived once, so one base-point multiplication per signature instead of two.
   */
  @Benchmark
  public byte[] ed25519Sign(RawKey k) throws Exception {
    byte[] sig = new byte[64];
    org.bouncycastle.math.ec.rfc8032.Ed25519.sign(
        k.seed, 0, k.publicKey, 0, k.text, 0, k.text.length, sig, 0);
    return sig;
  }

  /** The same signature by the JDK's Ed25519, which the server used before. */
  @Benchmark
  public byte[] ed25519SignJdk(RawKey k) throws Exception {
    Signature s = Signature.getInstance("Ed25519");
    s.initSign(k.pair.getPrivate());
    s.update(k.text);
    return s.sign();
  }

  /** An fsync'd append of a checkpoint-sized record: the log's durability. */
  @State(Scope.Thread)
  public static class RawFile {
    java.nio.channels.FileChannel channel;
    Path file;

    @Setup(Level.Trial)
    public void open() throws IOException {
      // the fixture's folder, which a run of this benchmark alone has not made yet
      file = Files.createTempFile(Files.createDirectories(HOME), "fsync", ".log");
      channel =
          java.nio.channels.FileChannel.open(
              file,
              java.nio.file.StandardOpenOption.WRITE,
              java.nio.file.StandardOpenOption.APPEND);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
      channel.close();
      Files.deleteIfExists(file);
    }
  }

  @Benchmark
  public void fsyncSmallAppend(RawFile raw) throws IOException {
    raw.channel.write(java.nio.ByteBuffer.wrap(new byte[200]));
    raw.channel.force(false);
  }

  // ------------------------------------------------------------------ proving (server side)

  @Benchmark
  public String inclusionProof(Million m) {
    return m.transparency.inclusionProof(PROJECT, 1 + m.random.nextLong(m.size)).format();
  }

  @Benchmark
  public String consistencyProof(Million m) {
    return m.transparency.consistencyProof(PROJECT, 1 + m.random.nextLong(m.size - 1), 0).format();
  }

  // ------------------------------------------------------------------ verifying (client side)

  @Benchmark
  public boolean verifyInclusion(Million m) {
    boolean ok =
        Proofs.verifyInclusion(m.inclusion.index(), m.size, m.leaf, m.inclusion.hashes(), m.root0);
    if (!ok) {
      throw new IllegalStateException("the inclusion proof does not verify");
    }
    return ok;
  }

  @Benchmark
  public boolean verifyConsistency(Million m) {
    boolean ok =
        Proofs.verifyConsistency(m.size - 1000, m.size, m.consistency.hashes(), m.oldRoot, m.root0);
    if (!ok) {
      throw new IllegalStateException("the consistency proof does not verify");
    }
    return ok;
  }

  @Benchmark
  public Checkpoint openCheckpoint(Million m) throws Exception {
    SignedNote n = SignedNote.open(m.note.getBytes(StandardCharsets.UTF_8), List.of(m.key));
    return Checkpoint.parse(n.text());
  }

  // ------------------------------------------------------------------ whole chain

  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 1)
  @Measurement(iterations = 3)
  public String coldProof(Million m) {
    Transparency fresh = new Transparency(m.root, CheckpointKeys.resolve(HOME, null));
    return fresh.inclusionProof(PROJECT, m.size / 2).format();
  }

  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 1)
  @Measurement(iterations = 3)
  public BundleVerifier.Report verifyBundle(Million m) {
    BundleVerifier.Report r = BundleVerifier.verify(m.archive, m.key);
    if (!r.ok()) {
      throw new IllegalStateException(r.problems().get(0));
    }
    return r;
  }
}
