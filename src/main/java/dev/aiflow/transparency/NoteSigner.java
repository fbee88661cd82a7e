package dev.aiflow.transparency;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.interfaces.EdECPrivateKey;
import java.util.Base64;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Signs note texts as a C2SP signed note with one Ed25519 key under one key name.
 *
 * <p>Signing uses Bouncy Castle's RFC 8032 implementation: Ed25519 signatures are deterministic, so
 * it writes exactly the bytes the JDK's would (NoteSignerTest compares them), in a twentieth of the
 * time; the engine signs after every step cycle (docs/performance.md). Verification stays with the
 * JDK ({@link VerifierKey}).
 */
final class NoteSigner {

  private final VerifierKey verifier;
  private final byte[] seed;
  // derived from the seed here, never taken from the verifier key: signing with a public key that
  // is not the seed's own can disclose the private key
  private final byte[] publicKey = new byte[Ed25519.PUBLIC_KEY_SIZE];

  NoteSigner(VerifierKey verifier, PrivateKey key) {
    this.verifier = verifier;
    this.seed =
        ((EdECPrivateKey) key)
            .getBytes()
            .filter(b -> b.length == Ed25519.SECRET_KEY_SIZE)
            .orElseThrow(() -> new IllegalArgumentException("not a 32-byte Ed25519 private key"));
    // once per signer instead of once per signature: half of a signature's time
    Ed25519.generatePublicKey(seed, 0, publicKey, 0);
  }

  VerifierKey verifier() {
    return verifier;
  }

  /**
   * The signed note: {@code text} (non-empty, ending in a newline), a blank line, and the signature
   * line {@code — <name> <base64(key id || Ed25519 signature of text)>}.
   */
  String sign(String text) {
    SignedNote.checkText(text);
    byte[] message = text.getBytes(StandardCharsets.UTF_8);
    byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
    Ed25519.sign(seed, 0, publicKey, 0, message, 0, message.length, signature, 0);
    byte[] sig =
        ByteBuffer.allocate(4 + signature.length).putInt(verifier.keyId()).put(signature).array();
    return text
        + "\n"
        + SignedNote.SIG_PREFIX
        + verifier.name()
        + " "
        + Base64.getEncoder().encodeToString(sig)
        + "\n";
  }

  @Override
  public String toString() {
    return "NoteSigner[" + verifier.name() + ", private key hidden]";
  }
}
