package dev.aiflow.api;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses, before anything else reads the path, a request whose path is not in normal form ({@code
 * /../}, {@code /./}, {@code //}, a path parameter, an encoded dot, slash or backslash): 400
 * problem+json. Spring Security's firewall refuses them too, but only inside its chain; a servlet
 * filter in front of it would otherwise answer such a path with a 500 and a stack trace in the log.
 */
public class NormalizedPathFilter extends OncePerRequestFilter {

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String uri = request.getRequestURI();
    if (uri != null && !isNormal(uri)) {
      response.setStatus(400);
      response.setContentType("application/problem+json");
      response
          .getOutputStream()
          .write(
              ("{\"type\":\"https://aiflow.dev/problems/path-not-normal\",\"title\":\"Bad"
                      + " request path\",\"status\":400,\"detail\":\"the request path is not in"
                      + " normal form (., .., //, ; or an encoded dot, slash or backslash)\"}")
                  .getBytes(StandardCharsets.UTF_8));
      return;
    }
    chain.doFilter(request, response);
  }

  static boolean isNormal(String rawUri) {
    String lower = rawUri.toLowerCase(Locale.ROOT);
    if (lower.contains("%2e") || lower.contains("%2f") || lower.contains("%5c")) {
      return false;
    }
    if (rawUri.contains(";") || rawUri.contains("\\") || rawUri.contains("//")) {
      return false;
    }
    for (String segment : rawUri.split("/", -1)) {
      if (segment.equals(".") || segment.equals("..")) {
        return false;
      }
    }
    return true;
  }
}
