package dev.aiflow.api;

import dev.aiflow.logger.LogRefusedException;
import dev.aiflow.protocol.ProtocolException;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Refused input becomes {@code application/problem+json} (RFC 9457) naming what was wrong. */
@RestControllerAdvice
// before Spring's own problem-details advice, which would answer "Failed to read request"
@org.springframework.core.annotation.Order(org.springframework.core.Ordered.HIGHEST_PRECEDENCE)
public class ProblemHandler {

  @ExceptionHandler(ProtocolException.class)
  ProblemDetail protocol(ProtocolException e) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    p.setType(URI.create("https://aiflow.dev/problems/invalid-document"));
    p.setTitle("Invalid " + e.kind());
    p.setProperty("errors", e.errors());
    return p;
  }

  @ExceptionHandler(LogRefusedException.class)
  ProblemDetail refused(LogRefusedException e) {
    HttpStatus status =
        "NOT_INITIALISED".equals(e.code()) ? HttpStatus.NOT_FOUND : HttpStatus.BAD_REQUEST;
    ProblemDetail p = ProblemDetail.forStatusAndDetail(status, e.getMessage());
    p.setType(
        URI.create("https://aiflow.dev/problems/" + e.code().toLowerCase().replace('_', '-')));
    p.setTitle(e.code());
    return p;
  }

  @ExceptionHandler(BadRequest.class)
  ProblemDetail badRequest(BadRequest e) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    p.setType(URI.create("https://aiflow.dev/problems/bad-request"));
    p.setTitle("Bad request");
    p.setProperty("field", e.field());
    return p;
  }

  @ExceptionHandler(NotFound.class)
  ProblemDetail notFound(NotFound e) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getMessage());
    p.setTitle("Not found");
    return p;
  }

  @ExceptionHandler(Conflict.class)
  ProblemDetail conflict(Conflict e) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, e.getMessage());
    p.setTitle("Conflict");
    return p;
  }

  /** The execution guard refused a campaign: 409 with the freeze problem and the campaign id. */
  @ExceptionHandler(dev.aiflow.campaign.ExecutionBlockedException.class)
  ProblemDetail blocked(dev.aiflow.campaign.ExecutionBlockedException e) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, e.getMessage());
    p.setType(URI.create("https://aiflow.dev/problems/execution-blocked-unapproved"));
    p.setTitle("Execution blocked: requirements not frozen and approved");
    p.setProperty("code", e.code());
    p.setProperty("campaignId", e.campaignId());
    return p;
  }

  /**
   * A body that is not JSON, or JSON of the wrong shape: names the member by its path, e.g. {@code
   * options.maxCycles}.
   */
  @ExceptionHandler(org.springframework.http.converter.HttpMessageNotReadableException.class)
  ProblemDetail unreadable(org.springframework.http.converter.HttpMessageNotReadableException e) {
    String field = null;
    String detail = "the request body is not valid JSON";
    Throwable cause = e.getCause();
    while (cause != null
        && !(cause instanceof com.fasterxml.jackson.core.JsonProcessingException)
        && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    if (cause instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException mismatch) {
      field =
          mismatch.getPath().stream()
              .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
              .collect(java.util.stream.Collectors.joining("."))
              .replace(".[", "[");
      detail =
          mismatch instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException
              ? "unknown member '" + field + "'"
              : "'" + field + "' has the wrong type: " + mismatch.getOriginalMessage();
    } else if (cause instanceof com.fasterxml.jackson.core.JsonProcessingException j) {
      detail = "the request body is not valid JSON: " + j.getOriginalMessage();
    }
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
    p.setType(URI.create("https://aiflow.dev/problems/bad-request"));
    p.setTitle("Bad request");
    if (field != null) {
      p.setProperty("field", field);
    }
    return p;
  }

  /** The request conflicts with the resource's state. */
  public static final class Conflict extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Conflict(String message) {
      super(message);
    }
  }

  /** A request field that is wrong; the problem names it. */
  public static final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String field;

    public BadRequest(String field, String message) {
      super(message);
      this.field = field;
    }

    public String field() {
      return field;
    }
  }

  /** Something the path names does not exist. */
  public static final class NotFound extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotFound(String message) {
      super(message);
    }
  }
}
