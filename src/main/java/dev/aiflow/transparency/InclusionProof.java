package dev.aiflow.transparency;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * An inclusion proof in the C2SP tlog-proof format (c2sp.org/tlog-proof): {@code
 * c2sp.org/tlog-proof@v1}, {@code index <zero-based leaf index>}, the audit path one base64 hash
 * per line (from the leaf's sibling up), a blank line, and the signed checkpoint verbatim. For an
 * aiflow event the index is its {@code seq} minus one.
 *
 * @param index the leaf's zero-based index
 * @param hashes the audit path
 * @param checkpoint the signed checkpoint note it proves against
 */
public record InclusionProof(long index, List<byte[]> hashes, String checkpoint) {

  public static final String HEADER = "c2sp.org/tlog-proof@v1";

  public InclusionProof {
    hashes = List.copyOf(hashes);
  }

  public String format() {
    StringBuilder b = new StringBuilder(HEADER).append('\n');
    b.append("index ").append(index).append('\n');
    hashes.forEach(h -> b.append(Base64.getEncoder().encodeToString(h)).append('\n'));
    return b.append('\n').append(checkpoint).toString();
  }

  /** Parses the format; the checkpoint is returned as text, for the caller to open and check. */
  public static InclusionProof parse(String text) throws NoteException {
    String[] lines = text.split("\n", -1);
    int i = 0;
    if (lines.length < 4 || !lines[i++].equals(HEADER)) {
      throw new NoteException("not a " + HEADER + " proof");
    }
    if (lines[i].startsWith("extra ")) {
      i++; // opaque, unauthenticated: aiflow writes none and reads none
    }
    if (!lines[i].matches("index (0|[1-9][0-9]{0,18})")) {
      throw new NoteException("the proof has no 'index <n>' line");
    }
    long index = Long.parseLong(lines[i++].substring(6));
    List<byte[]> hashes = new ArrayList<>();
    i = hashLines(lines, i, hashes);
    return new InclusionProof(index, hashes, rest(lines, i));
  }

  /** Reads base64 hash lines up to the blank line; returns the index after it. */
  static int hashLines(String[] lines, int i, List<byte[]> out) throws NoteException {
    for (; i < lines.length && !lines[i].isEmpty(); i++) {
      byte[] h = VerifierKey.decodeBase64(lines[i]);
      if (h == null || h.length != Rfc6962.HASH_SIZE) {
        throw new NoteException("proof line " + (i + 1) + " is not a base64 SHA-256 hash");
      }
      out.add(h);
    }
    if (i >= lines.length) {
      throw new NoteException("the proof has no blank line before its checkpoint");
    }
    return i + 1;
  }

  static String rest(String[] lines, int from) {
    return String.join("\n", java.util.Arrays.asList(lines).subList(from, lines.length));
  }
}
