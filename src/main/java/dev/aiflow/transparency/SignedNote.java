package dev.aiflow.transparency;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A C2SP signed note (c2sp.org/signed-note): a UTF-8 text ending in a newline, a blank line, then
 * one or more lines {@code — <key name> <base64(4-byte key id || signature)>}. Opening a note
 * follows the reference implementation (golang.org/x/mod/sumdb/note): signatures by unknown keys
 * are kept aside, a signature by a known key must verify or the whole note is refused, and at least
 * one must verify.
 *
 * @param text the signed text, with its final newline
 * @param verified the signatures that verified, by the known keys that made them
 * @param unverified signatures by keys the caller does not know (witnesses, other logs)
 */
public record SignedNote(String text, List<Signature> verified, List<Signature> unverified) {

  /** Em dash (U+2014) and a space: how every signature line starts. */
  static final String SIG_PREFIX = "\u2014 ";

  /** More signatures than this make a note malformed (as in the reference implementation). */
  static final int MAX_SIGNATURES = 100;

  /** Notes larger than this are refused before they are parsed. */
  public static final int MAX_BYTES = 1 << 20;

  /**
   * @param name the key name
   * @param keyId the key id
   * @param base64 the signature as it stood in the note
   */
  public record Signature(String name, int keyId, String base64) {}

  /** Opens a note: parses it and verifies its signatures against {@code known}. */
  public static SignedNote open(byte[] msg, List<VerifierKey> known) throws NoteException {
    if (msg.length > MAX_BYTES) {
      throw new NoteException("note larger than " + MAX_BYTES + " bytes");
    }
    String all = decodeStrict(msg);
    int split = all.lastIndexOf("\n\n");
    if (split < 0) {
      throw malformed();
    }
    String text = all.substring(0, split + 1);
    String sigs = all.substring(split + 2);
    if (sigs.isEmpty() || sigs.charAt(sigs.length() - 1) != '\n') {
      throw malformed();
    }
    List<Signature> verified = new ArrayList<>();
    List<Signature> unverified = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    Set<String> seenUnverified = new HashSet<>();
    byte[] message = text.getBytes(StandardCharsets.UTF_8);
    int count = 0;
    for (String line : sigs.substring(0, sigs.length() - 1).split("\n", -1)) {
      if (!line.startsWith(SIG_PREFIX)) {
        throw malformed();
      }
      String rest = line.substring(SIG_PREFIX.length());
      int space = rest.indexOf(' ');
      String name = space < 0 ? rest : rest.substring(0, space);
      String b64 = space < 0 ? "" : rest.substring(space + 1);
      byte[] sig = b64.isEmpty() ? null : VerifierKey.decodeBase64(b64);
      if (sig == null || !VerifierKey.validName(name) || sig.length < 5) {
        throw malformed();
      }
      if (++count > MAX_SIGNATURES) {
        throw malformed();
      }
      int keyId = ByteBuffer.wrap(sig, 0, 4).getInt();
      VerifierKey key = find(known, name, keyId);
      if (key == null) {
        if (seenUnverified.add(rest)) {
          unverified.add(new Signature(name, keyId, b64));
        }
        continue;
      }
      if (!seen.add(name + "+" + keyId)) {
        continue; // a repeated signature by one key counts once
      }
      byte[] raw = new byte[sig.length - 4];
      System.arraycopy(sig, 4, raw, 0, raw.length);
      if (!key.verify(message, raw)) {
        throw new NoteException(
            "invalid signature for key " + name + "+" + String.format("%08x", keyId));
      }
      verified.add(new Signature(name, keyId, b64));
    }
    if (verified.isEmpty()) {
      throw new NoteException("note has no verifiable signatures");
    }
    return new SignedNote(text, List.copyOf(verified), List.copyOf(unverified));
  }

  /** A key with that name and id; two such keys are ambiguous. */
  private static VerifierKey find(List<VerifierKey> known, String name, int keyId)
      throws NoteException {
    VerifierKey found = null;
    for (VerifierKey k : known) {
      if (k.name().equals(name) && k.keyId() == keyId) {
        if (found != null && !found.equals(k)) {
          throw new NoteException("ambiguous key " + name + "+" + String.format("%08x", keyId));
        }
        found = k;
      }
    }
    return found;
  }

  /** The text of a note without checking any signature (to read what a note claims). */
  public static String unverifiedText(byte[] msg) throws NoteException {
    if (msg.length > MAX_BYTES) {
      throw new NoteException("note larger than " + MAX_BYTES + " bytes");
    }
    String all = decodeStrict(msg);
    int split = all.lastIndexOf("\n\n");
    if (split < 0 || !all.endsWith("\n") || split + 2 >= all.length()) {
      throw malformed();
    }
    return all.substring(0, split + 1);
  }

  /** Refuses a text that cannot be signed: empty, no final newline, control characters. */
  static void checkText(String text) {
    if (text.isEmpty() || !text.endsWith("\n") || text.startsWith("\n")) {
      throw new IllegalArgumentException("a note text is non-empty and ends in a newline");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 && c != '\n') {
        throw new IllegalArgumentException("a note text has no control characters");
      }
    }
  }

  /** UTF-8 without a malformed sequence, and no control character but the newline. */
  private static String decodeStrict(byte[] msg) throws NoteException {
    String s;
    try {
      s =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(msg))
              .toString();
    } catch (CharacterCodingException e) {
      throw malformed();
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 && c != '\n') {
        throw malformed();
      }
    }
    return s;
  }

  private static NoteException malformed() {
    return new NoteException("malformed note");
  }
}
