package dev.aiflow.transparency;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A C2SP signed-note verifier key, {@code <name>+<key id>+<base64(0x01 || Ed25519 public key)>}.
 * The key id is the first four bytes of {@code SHA-256(name || 0x0A || 0x01 || public key)}, eight
 * lower-case hex digits. Only Ed25519 (signature type 0x01) is supported.
 */
public final class VerifierKey {

  static final byte ED25519 = 0x01;

  /** The DER prefix of an X.509 SubjectPublicKeyInfo holding a raw 32-byte Ed25519 key. */
  private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

  private final String name;
  private final int keyId;
  private final byte[] publicKey;
  private final PublicKey jcaKey;

  private VerifierKey(String name, byte[] publicKey) throws NoteException {
    this.name = name;
    this.publicKey = publicKey.clone();
    this.keyId = keyId(name, publicKey);
    try {
      this.jcaKey =
          KeyFactory.getInstance("Ed25519")
              .generatePublic(new X509EncodedKeySpec(concat(SPKI_PREFIX, publicKey)));
    } catch (GeneralSecurityException e) {
      throw new NoteException("not an Ed25519 public key");
    }
  }

  /** The verifier key of an Ed25519 public key (32 raw bytes) under {@code name}. */
  public static VerifierKey of(String name, byte[] publicKey) throws NoteException {
    if (!validName(name)) {
      throw new NoteException("invalid key name");
    }
    if (publicKey.length != 32) {
      throw new NoteException("an Ed25519 public key has 32 bytes");
    }
    return new VerifierKey(name, publicKey);
  }

  /** Parses {@code <name>+<key id>+<base64 key>}; the key id must match the name and the key. */
  public static VerifierKey parse(String vkey) throws NoteException {
    if (vkey == null) {
      throw new NoteException("no verifier key");
    }
    // the base64 key may itself contain '+'
    String[] parts = vkey.split("\\+", 3);
    if (parts.length != 3) {
      throw new NoteException("a verifier key is <name>+<key id>+<base64 key>");
    }
    String name = parts[0];
    if (!validName(name)) {
      throw new NoteException("the verifier key's name is empty or has a space");
    }
    if (!parts[1].matches("[0-9a-f]{8}")) {
      throw new NoteException("the verifier key's id is not 8 lower-case hex digits");
    }
    byte[] key = decodeBase64(parts[2]);
    if (key == null || key.length == 0) {
      throw new NoteException("the verifier key's key is not base64");
    }
    int id = (int) Long.parseLong(parts[1], 16);
    if (id != keyId(name, Arrays.copyOfRange(key, 1, key.length), key[0])) {
      throw new NoteException("the verifier key's id does not match its name and key");
    }
    if (key[0] != ED25519) {
      throw new NoteException("the verifier key is not an Ed25519 key (type 0x01)");
    }
    if (key.length != 33) {
      throw new NoteException("the verifier key's Ed25519 key does not have 32 bytes");
    }
    return new VerifierKey(name, Arrays.copyOfRange(key, 1, 33));
  }

  public String name() {
    return name;
  }

  public int keyId() {
    return keyId;
  }

  public byte[] publicKey() {
    return publicKey.clone();
  }

  /** Whether {@code signature} is this key's Ed25519 signature of {@code message}. */
  public boolean verify(byte[] message, byte[] signature) {
    try {
      Signature v = Signature.getInstance("Ed25519");
      v.initVerify(jcaKey);
      v.update(message);
      return v.verify(signature);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  /** The key in its text form. */
  @Override
  public String toString() {
    return name
        + "+"
        + String.format("%08x", keyId)
        + "+"
        + Base64.getEncoder().encodeToString(concat(new byte[] {ED25519}, publicKey));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VerifierKey k
        && k.name.equals(name)
        && k.keyId == keyId
        && Arrays.equals(k.publicKey, publicKey);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + keyId;
  }

  static int keyId(String name, byte[] publicKey) {
    return keyId(name, publicKey, ED25519);
  }

  private static int keyId(String name, byte[] key, byte type) {
    MessageDigest md = Rfc6962.sha256();
    md.update(name.getBytes(StandardCharsets.UTF_8));
    md.update((byte) '\n');
    md.update(type);
    md.update(key);
    return ByteBuffer.wrap(md.digest()).getInt();
  }

  /** Non-empty, no Unicode space, no '+' (signed-note's rule for key names). */
  static boolean validName(String name) {
    if (name == null || name.isEmpty() || name.indexOf('+') >= 0) {
      return false;
    }
    return name.codePoints().noneMatch(c -> Character.isWhitespace(c) || Character.isSpaceChar(c));
  }

  /**
   * Standard base64 in its canonical form only (padding and trailing bits as the encoder writes).
   */
  static byte[] decodeBase64(String s) {
    try {
      byte[] b = Base64.getDecoder().decode(s);
      return Base64.getEncoder().encodeToString(b).equals(s) ? b : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
