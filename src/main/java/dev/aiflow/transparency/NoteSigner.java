package dev.aiflow.transparency;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;

/** Signs note texts as a C2SP signed note with one Ed25519 key under one key name. */
final class NoteSigner {

  private final VerifierKey verifier;
  private final PrivateKey key;

  NoteSigner(VerifierKey verifier, PrivateKey key) {
    this.verifier = verifier;
    this.key = key;
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
    byte[] signature;
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(key);
      s.update(message);
      signature = s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 signing failed: " + e.getMessage(), e);
    }
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
