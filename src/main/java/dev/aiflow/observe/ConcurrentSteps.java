package dev.aiflow.observe;

import dev.aiflow.protocol.PathGlob;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The steps this JVM observes at the same time in the same workspace: a campaign's lanes without
 * git share one workspace, so what one agent changes in its own allowed paths shows up in the
 * other's observation. A step's observation leaves out changes that lie outside its own allowed
 * paths but inside the allowed paths of a step whose observation window overlapped its own (that
 * step's observation sees and judges them); they are recorded apart ({@code concurrent_changes} in
 * {@code changes.json}). Anything outside every such path is still this step's: a lane never hides
 * a change nobody was allowed to make. Lanes never run tasks with overlapping paths at once.
 */
final class ConcurrentSteps {

  /** An observation window left open (a dispatch that never reached verification) expires. */
  static final Duration EXPIRY = Duration.ofHours(2);

  private record Window(Path workspace, List<String> allowed, Set<String> others, Instant opened) {}

  private static final Map<String, Window> OPEN = new HashMap<>();

  private ConcurrentSteps() {}

  /** Opens the window of step {@code key} (replacing an earlier one of the same step). */
  static synchronized void open(String key, Path workspace, List<String> allowed) {
    Instant now = Instant.now();
    OPEN.values().removeIf(w -> w.opened().plus(EXPIRY).isBefore(now));
    OPEN.remove(key);
    Window mine = new Window(workspace, List.copyOf(allowed), new LinkedHashSet<>(), now);
    for (Window other : OPEN.values()) {
      if (other.workspace().equals(workspace)) {
        other.others().addAll(mine.allowed());
        mine.others().addAll(other.allowed());
      }
    }
    OPEN.put(key, mine);
  }

  /** The allowed paths of every step whose window overlapped {@code key}'s so far. */
  static synchronized List<String> others(String key) {
    Window w = OPEN.get(key);
    return w == null ? List.of() : new ArrayList<>(w.others());
  }

  static synchronized void close(String key) {
    OPEN.remove(key);
  }

  /**
   * Splits {@code changes}: [0] this step's, [1] changes in a concurrent step's allowed paths
   * (outside this step's own).
   */
  static ChangeSet[] split(ChangeSet changes, List<String> allowed, List<String> others) {
    if (others.isEmpty()) {
      return new ChangeSet[] {changes, null};
    }
    List<ObservedChange> mine = new ArrayList<>();
    List<ObservedChange> theirs = new ArrayList<>();
    for (ObservedChange c : changes.changes()) {
      boolean elsewhere =
          !c.gitMetadata()
              && !PathGlob.anyMatches(allowed, c.path())
              && PathGlob.anyMatches(others, c.path());
      (elsewhere ? theirs : mine).add(c);
    }
    if (theirs.isEmpty()) {
      return new ChangeSet[] {changes, null};
    }
    return new ChangeSet[] {
      new ChangeSet(
          changes.mode(),
          changes.idKind(),
          changes.headBefore(),
          changes.headAfter(),
          mine,
          changes.incomplete()),
      new ChangeSet(
          changes.mode(), changes.idKind(), changes.headBefore(), changes.headAfter(), theirs, null)
    };
  }
}
