package dev.aiflow.transparency;

/**
 * A signed note or verifier key was refused: malformed, or its signature does not verify. The
 * message names what was wrong, never the note's content.
 */
public class NoteException extends Exception {

  private static final long serialVersionUID = 1L;

  public NoteException(String message) {
    super(message);
  }
}
