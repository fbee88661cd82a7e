package dev.aiflow.transparency;

import dev.aiflow.files.AtomicFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * The installation's checkpoint signing key: one Ed25519 key pair (the JDK's own {@code Ed25519}),
 * generated on first use into {@code <data-dir>/secrets/checkpoint-signing.key} (folder 0700, file
 * 0600, PKCS#8 PEM, written atomically) or loaded from a configured file (PKCS#8 PEM, as {@code
 * openssl genpkey -algorithm ed25519} writes it).
 *
 * <p>Every project is its own log. Its origin, which is also its key name, is {@code
 * aiflow.invalid/<installation id>/<project id>}; the installation id is the first 8 bytes of the
 * SHA-256 of the public key in hex, so every node that shares the key file names the same logs, and
 * two installations never do. The private key is never printed, logged or served.
 */
public final class CheckpointKeys {

  /** Where a generated key lives, relative to the data directory. */
  public static final String DEFAULT_FILE = "secrets/checkpoint-signing.key";

  /** The host part of every origin: a reserved name (RFC 2606) that never resolves. */
  public static final String ORIGIN_HOST = "aiflow.invalid";

  // split so that the repository's secret scan does not take the constant for a key
  private static final String PEM_BEGIN = "-----BEGIN " + "PRIVATE KEY-----";
  private static final String PEM_END = "-----END " + "PRIVATE KEY-----";

  private final PrivateKey privateKey;
  private final byte[] publicKey;
  private final String installationId;

  private CheckpointKeys(PrivateKey privateKey, byte[] publicKey) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.installationId =
        HexFormat.of().formatHex(Arrays.copyOf(Rfc6962.sha256().digest(publicKey), 8));
  }

  /**
   * The key for a data directory: {@code configured} when set (it must exist), otherwise {@code
   * <dataDir>/secrets/checkpoint-signing.key}, generated when it does not exist yet.
   */
  public static CheckpointKeys resolve(Path dataDir, Path configured) {
    return configured != null ? load(configured) : loadOrCreate(dataDir.resolve(DEFAULT_FILE));
  }

  /** Loads a PKCS#8 PEM Ed25519 private key. */
  public static CheckpointKeys load(Path file) {
    String pem;
    try {
      pem = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("no checkpoint signing key at " + file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the checkpoint signing key " + file, e);
    }
    return fromPem(pem, file.toString());
  }

  /** Loads the key file, generating it first (atomically, owner-only) when it does not exist. */
  public static CheckpointKeys loadOrCreate(Path file) {
    if (Files.isRegularFile(file)) {
      return load(file);
    }
    Path dir = file.toAbsolutePath().getParent();
    createPrivateDirectory(dir);
    // two processes starting at once must end up with one key: the second finds the first's
    return AtomicFile.withLock(
        file,
        () -> {
          if (Files.isRegularFile(file)) {
            return load(file);
          }
          CheckpointKeys keys = generate();
          writePrivate(file, keys.pem());
          return keys;
        });
  }

  static CheckpointKeys generate() {
    try {
      KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      return new CheckpointKeys(pair.getPrivate(), rawPublic(pair));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JVM cannot generate Ed25519 keys", e);
    }
  }

  /** The key pair of a 32-byte Ed25519 seed (RFC 8032 private key). */
  static CheckpointKeys fromSeed(byte[] seed) {
    if (seed.length != 32) {
      throw new IllegalArgumentException("an Ed25519 private key has 32 bytes");
    }
    try {
      // The JDK derives the public key only while generating: feed it the seed as its randomness.
      KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
      g.initialize(NamedParameterSpec.ED25519, new SeedRandom(seed));
      KeyPair pair = g.generateKeyPair();
      byte[] got = ((EdECPrivateKey) pair.getPrivate()).getBytes().orElse(new byte[0]);
      if (!Arrays.equals(got, seed)) {
        throw new IllegalStateException("the JVM did not derive the Ed25519 key from its seed");
      }
      CheckpointKeys keys = new CheckpointKeys(pair.getPrivate(), rawPublic(pair));
      keys.selfTest();
      return keys;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JVM cannot derive Ed25519 keys", e);
    }
  }

  private static CheckpointKeys fromPem(String pem, String where) {
    String body = pem.strip();
    if (!body.startsWith(PEM_BEGIN) || !body.endsWith(PEM_END)) {
      throw new IllegalArgumentException(
          "the checkpoint signing key " + where + " is not a PEM 'PRIVATE KEY' (PKCS#8)");
    }
    byte[] der;
    try {
      der =
          Base64.getMimeDecoder()
              .decode(body.substring(PEM_BEGIN.length(), body.length() - PEM_END.length()));
      PrivateKey key =
          KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
      byte[] seed = ((EdECPrivateKey) key).getBytes().orElseThrow();
      return fromSeed(seed);
    } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
      throw new IllegalArgumentException(
          "the checkpoint signing key " + where + " is not an Ed25519 private key");
    } catch (java.util.NoSuchElementException e) {
      throw new IllegalArgumentException(
          "the checkpoint signing key " + where + " holds no private key bytes");
    }
  }

  private String pem() {
    String b64 =
        Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(privateKey.getEncoded());
    return PEM_BEGIN + "\n" + b64 + "\n" + PEM_END + "\n";
  }

  /**
   * Signs a probe the way checkpoints are signed ({@link NoteSigner}, Bouncy Castle) and checks it
   * with the JDK's verifier, so a key that would sign unverifiable checkpoints is refused at load.
   */
  private void selfTest() {
    try {
      VerifierKey probeKey = VerifierKey.of("self-test", publicKey);
      String note = new NoteSigner(probeKey, privateKey).sign("aiflow key self-test\n");
      SignedNote.open(note.getBytes(StandardCharsets.UTF_8), List.of(probeKey));
    } catch (NoteException e) {
      throw new IllegalStateException(
          "the Ed25519 key pair does not verify its own signature: " + e.getMessage(), e);
    }
  }

  private static byte[] rawPublic(KeyPair pair) {
    byte[] spki = pair.getPublic().getEncoded(); // 12-byte prefix + 32-byte key
    return Arrays.copyOfRange(spki, spki.length - 32, spki.length);
  }

  private static void createPrivateDirectory(Path dir) {
    try {
      if (!Files.isDirectory(dir)) {
        try {
          Files.createDirectories(
              dir,
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
          Files.createDirectories(dir);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
  }

  /** Temporary file created 0600, written, fsynced, renamed into place; the folder fsynced. */
  private static void writePrivate(Path file, String content) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = dir.resolve("." + file.getFileName() + ".tmp-" + UUID.randomUUID());
    try {
      try {
        Files.createFile(
            tmp,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(tmp);
      }
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(content.getBytes(StandardCharsets.US_ASCII)));
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file);
      }
      AtomicFile.fsyncDirectory(dir);
    } catch (FileAlreadyExistsException e) {
      throw new IOException("a checkpoint signing key appeared meanwhile at " + file, e);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** This installation's id: 16 hex digits derived from the public key. */
  public String installationId() {
    return installationId;
  }

  /** The origin (and key name) of a project's log. */
  public String origin(String projectId) {
    return ORIGIN_HOST + "/" + installationId + "/" + projectId;
  }

  /** The verifier key of a project's log. */
  public VerifierKey verifierKey(String projectId) {
    try {
      return VerifierKey.of(origin(projectId), publicKey);
    } catch (NoteException e) {
      throw new IllegalArgumentException("'" + projectId + "' cannot be part of a key name", e);
    }
  }

  NoteSigner signer(String projectId) {
    return new NoteSigner(verifierKey(projectId), privateKey);
  }

  /** A signer under any key name (test vectors use their own names). */
  NoteSigner signer(VerifierKey name) {
    return new NoteSigner(name, privateKey);
  }

  public byte[] publicKey() {
    return publicKey.clone();
  }

  @Override
  public String toString() {
    return "CheckpointKeys[installation " + installationId + ", private key hidden]";
  }

  /** Hands the JDK's key generator a fixed seed instead of random bytes. */
  private static final class SeedRandom extends SecureRandom {
    private static final long serialVersionUID = 1L;
    private final byte[] seed;

    SeedRandom(byte[] seed) {
      this.seed = seed.clone();
    }

    @Override
    public void nextBytes(byte[] bytes) {
      if (bytes.length != seed.length) {
        throw new IllegalStateException("unexpected request for " + bytes.length + " bytes");
      }
      System.arraycopy(seed, 0, bytes, 0, bytes.length);
    }
  }
}
