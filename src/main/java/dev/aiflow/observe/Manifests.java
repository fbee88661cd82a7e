package dev.aiflow.observe;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Content manifests by walking the file system: every file's type, mode, size and SHA-256, links as
 * links (never followed). With an earlier manifest, a file whose stat data (size, mtime, ctime,
 * inode, mode) is unchanged and that was not touched around the earlier observation keeps its hash
 * without being read again. ctime cannot be set from user space, so resetting mtime after an edit
 * does not hide it.
 */
final class Manifests {

  /** Files changed this close to (or after) an earlier observation are always re-hashed. */
  private static final long RACY_NS = TimeUnit.SECONDS.toNanos(2);

  private Manifests() {}

  /** Decides which folders and files a walk leaves out. */
  interface Filter {
    boolean skipFolder(String rel);

    boolean skipFile(String rel);
  }

  /**
   * Walks {@code root}, naming entries {@code prefix + relative path}.
   *
   * @param earlier a previous manifest of the same tree (path to entry), or null
   * @param earlierAtNs when that manifest was taken
   */
  static List<ManifestEntry> walk(
      Path root,
      String prefix,
      Filter filter,
      Map<String, ManifestEntry> earlier,
      long earlierAtNs) {
    List<ManifestEntry> out = new ArrayList<>();
    if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
      return out;
    }
    Hasher hasher = new Hasher();
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              if (dir.equals(root)) {
                return FileVisitResult.CONTINUE;
              }
              return filter.skipFolder(rel(root, dir))
                  ? FileVisitResult.SKIP_SUBTREE
                  : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              String rel = rel(root, file);
              if (!filter.skipFile(rel)) {
                String name = prefix + rel;
                out.add(
                    entry(
                        file,
                        name,
                        earlier == null ? null : earlier.get(name),
                        earlierAtNs,
                        hasher));
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              String rel = rel(root, file);
              if (!filter.skipFile(rel)) {
                out.add(
                    new ManifestEntry(
                        prefix + rel, ManifestEntry.UNREADABLE, "0", 0, null, null, 0, 0, 0));
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) {
              return FileVisitResult.CONTINUE; // an unreadable folder's entries are just absent
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot walk " + root, e);
    }
    out.sort((a, b) -> a.path().compareTo(b.path()));
    return out;
  }

  /** One path's entry (a file, a link or something else); null when it does not exist. */
  static ManifestEntry entry(
      Path file, String name, ManifestEntry earlier, long earlierAtNs, Hasher hasher) {
    Map<String, Object> a;
    try {
      a =
          Files.readAttributes(
              file,
              "unix:mode,ino,ctime,lastModifiedTime,size,isSymbolicLink,isRegularFile",
              LinkOption.NOFOLLOW_LINKS);
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      return basicEntry(file, name, hasher);
    } catch (IOException e) {
      return Files.exists(file, LinkOption.NOFOLLOW_LINKS)
          ? new ManifestEntry(name, ManifestEntry.UNREADABLE, "0", 0, null, null, 0, 0, 0)
          : null;
    }
    boolean link = (Boolean) a.get("isSymbolicLink");
    boolean regular = (Boolean) a.get("isRegularFile");
    String type = link ? ManifestEntry.LINK : regular ? ManifestEntry.FILE : ManifestEntry.OTHER;
    String mode = Integer.toOctalString(((Integer) a.get("mode")) & 07777);
    long size = (Long) a.get("size");
    long mtime = nanos((FileTime) a.get("lastModifiedTime"));
    long ctime = nanos((FileTime) a.get("ctime"));
    long inode = ((Number) a.get("ino")).longValue();
    String target = null;
    if (link) {
      try {
        target = Files.readSymbolicLink(file).toString();
      } catch (IOException e) {
        return new ManifestEntry(name, ManifestEntry.UNREADABLE, mode, 0, null, null, 0, 0, 0);
      }
    }
    ManifestEntry e = new ManifestEntry(name, type, mode, size, null, target, mtime, ctime, inode);
    if (e.sameStat(earlier)
        && earlier.sha256() != null
        && earlier.ctimeNs() < earlierAtNs - RACY_NS
        && earlier.mtimeNs() < earlierAtNs - RACY_NS
        && (!link || target.equals(earlier.linkTarget()))) {
      return e.withHash(earlier.sha256());
    }
    if (link) {
      return e.withHash(hasher.hex(target.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
    if (!regular) {
      return e;
    }
    try {
      return e.withHash(hasher.file(file));
    } catch (IOException ex) {
      return new ManifestEntry(name, ManifestEntry.UNREADABLE, mode, size, null, null, 0, 0, 0);
    }
  }

  private static ManifestEntry basicEntry(Path file, String name, Hasher hasher) {
    try {
      BasicFileAttributes b =
          Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      String mode = Files.isExecutable(file) ? "755" : "644";
      if (b.isSymbolicLink()) {
        String target = Files.readSymbolicLink(file).toString();
        return new ManifestEntry(
            name,
            ManifestEntry.LINK,
            "777",
            b.size(),
            hasher.hex(target.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
            target,
            nanos(b.lastModifiedTime()),
            0,
            0);
      }
      if (!b.isRegularFile()) {
        return new ManifestEntry(name, ManifestEntry.OTHER, mode, b.size(), null, null, 0, 0, 0);
      }
      return new ManifestEntry(
          name,
          ManifestEntry.FILE,
          mode,
          b.size(),
          hasher.file(file),
          null,
          nanos(b.lastModifiedTime()),
          0,
          0);
    } catch (IOException e) {
      return null;
    }
  }

  private static long nanos(FileTime t) {
    return t == null ? 0 : t.to(TimeUnit.NANOSECONDS);
  }

  static String rel(Path root, Path p) {
    return root.relativize(p).toString().replace('\\', '/');
  }

  /** SHA-256 with one reusable buffer. */
  static final class Hasher {
    private final byte[] buf = new byte[1 << 16];
    private final MessageDigest md;

    Hasher() {
      try {
        md = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    String file(Path file) throws IOException {
      md.reset();
      try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
        int n;
        while ((n = in.read(buf)) > 0) {
          md.update(buf, 0, n);
        }
      }
      return HexFormat.of().formatHex(md.digest());
    }

    String hex(byte[] bytes) {
      md.reset();
      return HexFormat.of().formatHex(md.digest(bytes));
    }
  }
}
