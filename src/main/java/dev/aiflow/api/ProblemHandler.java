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
   * options.maxCycles}; a body over the size limit is 413.
   */
  @ExceptionHandler(org.springframework.http.converter.HttpMessageNotReadableException.class)
  ProblemDetail unreadable(org.springframework.http.converter.HttpMessageNotReadableException e) {
    String field = null;
    String detail = "the request body is not valid JSON";
    for (Throwable c = e.getCause(); c != null && c.getCause() != c; c = c.getCause()) {
      if (c instanceof RequestBodyLimit.TooLarge tooLarge) {
        ProblemDetail p =
            ProblemDetail.forStatusAndDetail(HttpStatus.PAYLOAD_TOO_LARGE, tooLarge.getMessage());
        p.setType(URI.create("https://aiflow.dev/problems/too-large"));
        p.setTitle("Request body too large");
        return p;
      }
      if (c instanceof RequestBodyLimit.ByteOrderMark bom) {
        return bad(null, bom.getMessage());
      }
      if (c instanceof ApiJson.ExplicitNull n) {
        return bad(
            n.field(), "'" + n.field() + "' is null: give a value, or omit it to use the default");
      }
      if (c instanceof ApiJson.ApiBodyException body) {
        return bad(null, body.getMessage());
      }
    }
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
      if (mismatch instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException) {
        detail = "unknown member '" + field + "'";
      } else {
        detail = "'" + field + "' has the wrong type (" + expected(mismatch) + ")";
      }
    } else if (cause instanceof com.fasterxml.jackson.core.JsonProcessingException j) {
      detail = "the request body " + dev.aiflow.json.StrictJson.translate(j).getMessage();
    }
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
    p.setType(URI.create("https://aiflow.dev/problems/bad-request"));
    p.setTitle("Bad request");
    if (field != null) {
      p.setProperty("field", field);
    }
    return p;
  }

  private static String expected(com.fasterxml.jackson.databind.exc.MismatchedInputException m) {
    Class<?> t = m.getTargetType();
    if (t == null) {
      return "see the OpenAPI document";
    }
    if (t == Integer.class || t == int.class || t == Long.class || t == long.class) {
      return "an integer";
    }
    if (t == Boolean.class || t == boolean.class) {
      return "true or false";
    }
    if (t == String.class) {
      return "a string";
    }
    if (java.util.Map.class.isAssignableFrom(t) || t.isRecord()) {
      return "an object";
    }
    return "see the OpenAPI document";
  }

  private static ProblemDetail bad(String field, String detail) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
    p.setType(URI.create("https://aiflow.dev/problems/bad-request"));
    p.setTitle("Bad request");
    if (field != null) {
      p.setProperty("field", field);
    }
    return p;
  }

  /** A path a request named that aiflow will not use. */
  @ExceptionHandler(dev.aiflow.files.PathRefusedException.class)
  ProblemDetail pathRefused(dev.aiflow.files.PathRefusedException e) {
    return bad(e.field(), e.getMessage());
  }

  /** An id that breaks the grammar. */
  @ExceptionHandler(dev.aiflow.ids.Ids.InvalidIdException.class)
  ProblemDetail invalidId(dev.aiflow.ids.Ids.InvalidIdException e) {
    return bad(e.kind(), e.getMessage());
  }

  /** A query or path parameter of the wrong type, e.g. {@code limit=abc}. */
  @ExceptionHandler(
      org.springframework.web.method.annotation.MethodArgumentTypeMismatchException.class)
  ProblemDetail parameter(
      org.springframework.web.method.annotation.MethodArgumentTypeMismatchException e) {
    return bad(e.getName(), "'" + e.getName() + "' has the wrong type");
  }

  /** Signed in, but without the Camunda authorization the action needs. */
  @ExceptionHandler(org.springframework.security.access.AccessDeniedException.class)
  ProblemDetail forbidden(org.springframework.security.access.AccessDeniedException e) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.FORBIDDEN, e.getMessage());
    p.setType(URI.create("https://aiflow.dev/problems/forbidden"));
    p.setTitle("Forbidden");
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
