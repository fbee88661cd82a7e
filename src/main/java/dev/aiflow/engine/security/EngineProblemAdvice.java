package dev.aiflow.engine.security;

import java.net.URI;
import org.camunda.bpm.engine.AuthorizationException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * An engine call the caller of aiflow's API is not authorized for: 403 problem+json, as {@code
 * /engine-rest} answers (the API's own checks usually refuse first, with the action named).
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
public class EngineProblemAdvice {

  @ExceptionHandler(AuthorizationException.class)
  ProblemDetail forbidden(AuthorizationException e) {
    ProblemDetail p =
        ProblemDetail.forStatusAndDetail(
            HttpStatus.FORBIDDEN,
            "the engine refused: a Camunda authorization is missing (docs/security.md)");
    p.setType(URI.create("https://aiflow.dev/problems/forbidden"));
    p.setTitle("Forbidden");
    return p;
  }
}
