package dev.aiflow.negotiation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals what a requirements draft will launch once approved: the project, who asked, and the
 * campaign's variables, as an HMAC-SHA256 under a key only the server holds ({@code
 * <data-dir>/secrets/launch-seal.key}, 32 random bytes, owner-only, created on first use).
 *
 * <p>Why: completing a Tasklist task may set any process variable. Without the seal an approver
 * could add {@code startCampaign} and their own {@code campaignVariables} to the approval and start
 * a campaign the drafter never asked for, under the drafter's name. The launch checks the seal over
 * the values it is about to use, and refuses on any difference.
 */
public final class LaunchSeal {

  public static final String KEY_FILE = "secrets/launch-seal.key";

  private final byte[] key;

  private LaunchSeal(byte[] key) {
    this.key = key;
  }

  /** The installation's seal key, created when it does not exist yet. */
  public static LaunchSeal forDataDir(Path dataDir) {
    Path file = dataDir.resolve(KEY_FILE);
    try {
      if (!Files.exists(file)) {
        Files.createDirectories(file.getParent());
        try {
          Files.setPosixFilePermissions(
              file.getParent(), PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException e) {
          // not POSIX: the platform's ACLs apply
        }
        byte[] fresh = new byte[32];
        new SecureRandom().nextBytes(fresh);
        Path tmp = Files.createTempFile(file.getParent(), ".launch-seal", ".tmp");
        try {
          Files.write(tmp, fresh);
          try {
            Files.move(tmp, file); // no replace: two starts at once keep the first key
          } catch (FileAlreadyExistsException raced) {
            // the other one won
          }
        } finally {
          Files.deleteIfExists(tmp);
        }
      }
      byte[] k = Files.readAllBytes(file);
      if (k.length != 32) {
        throw new IllegalStateException(KEY_FILE + " is not a 32-byte key");
      }
      return new LaunchSeal(k);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create " + KEY_FILE, e);
    }
  }

  /** The seal over these values (null counts as absent, distinct from empty). */
  public String seal(
      String projectId, String startedBy, boolean startCampaign, String campaignVariables) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      for (String part :
          new String[] {
            "aiflow-launch-v1",
            projectId,
            startedBy,
            Boolean.toString(startCampaign),
            campaignVariables
          }) {
        byte[] b = part == null ? new byte[0] : part.getBytes(StandardCharsets.UTF_8);
        mac.update((byte) (part == null ? 0 : 1));
        mac.update(java.nio.ByteBuffer.allocate(4).putInt(b.length).array());
        mac.update(b);
      }
      return HexFormat.of().formatHex(mac.doFinal());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  /** Whether {@code seal} is the seal of these values (constant-time comparison). */
  public boolean matches(
      String seal,
      String projectId,
      String startedBy,
      boolean startCampaign,
      String campaignVariables) {
    if (seal == null) {
      return false;
    }
    return MessageDigest.isEqual(
        seal.getBytes(StandardCharsets.US_ASCII),
        seal(projectId, startedBy, startCampaign, campaignVariables)
            .getBytes(StandardCharsets.US_ASCII));
  }
}
