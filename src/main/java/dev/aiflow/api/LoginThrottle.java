package dev.aiflow.api;

import dev.aiflow.engine.security.LoginChecks;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Brute-force protection per client address, not per account: after {@code maxFailures} failed
 * logins from one address (HTTP Basic on any path, or the webapps' login form), that address is
 * refused with 429 for a delay that doubles with each further failure up to {@code maxDelay}; a
 * successful credential check from it resets the count. What counts is the check itself, never the
 * response code of a page that ignored the credentials. Other addresses, and the account itself,
 * are unaffected, so an attacker cannot lock the operator out (Camunda's own per-account lock is
 * turned off in {@code AccessBootstrap}). Clients behind one proxy share an address: see
 * docs/security.md.
 */
public class LoginThrottle extends OncePerRequestFilter {

  /** Settings ({@code aiflow.security.login-throttle.*}). */
  public record Settings(int maxFailures, Duration baseDelay, Duration maxDelay, int maxClients) {
    public static Settings defaults() {
      return new Settings(5, Duration.ofSeconds(2), Duration.ofSeconds(60), 10_000);
    }
  }

  private record State(int failures, long blockedUntilMillis) {}

  private final Settings settings;
  private final Clock clock;
  private final Map<String, State> clients;

  public LoginThrottle(Settings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    int cap = settings.maxClients();
    // bounded: the oldest address is forgotten first, so a flood of addresses cannot fill memory
    this.clients =
        new LinkedHashMap<>(64, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, State> eldest) {
            return size() > cap;
          }
        };
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (!carriesCredentials(request)) {
      chain.doFilter(request, response);
      return;
    }
    String client = request.getRemoteAddr();
    long now = clock.millis();
    long wait;
    synchronized (clients) {
      State s = clients.get(client);
      wait = s == null ? 0 : s.blockedUntilMillis() - now;
    }
    if (wait > 0) {
      long seconds = Math.max(1, (wait + 999) / 1000);
      response.setStatus(429);
      response.setHeader("Retry-After", Long.toString(seconds));
      response.setContentType("application/problem+json");
      response
          .getOutputStream()
          .write(
              ("{\"type\":\"https://aiflow.dev/problems/too-many-logins\",\"title\":\"Too many"
                      + " failed logins\",\"status\":429,\"detail\":\"too many failed logins from"
                      + " this address; try again in "
                      + seconds
                      + " s\"}")
                  .getBytes(StandardCharsets.UTF_8));
      return;
    }
    Boolean checked;
    LoginChecks.begin();
    try {
      chain.doFilter(request, response);
    } finally {
      checked = LoginChecks.end();
    }
    Boolean matched = outcome(checked, request, response);
    if (matched == null) {
      return; // nobody checked the credentials (a webapp page ignores a Basic header)
    }
    synchronized (clients) {
      if (!matched) {
        State s = clients.get(client);
        int failures = (s == null ? 0 : s.failures()) + 1;
        long blockedUntil = 0;
        if (failures >= settings.maxFailures()) {
          int over = Math.min(20, failures - settings.maxFailures());
          long delay =
              Math.min(settings.maxDelay().toMillis(), settings.baseDelay().toMillis() << over);
          blockedUntil = now + delay;
        }
        clients.put(client, new State(failures, blockedUntil));
      } else {
        clients.remove(client);
      }
    }
  }

  /**
   * What the credential check said: the APIs' checks record it ({@link LoginChecks}); the webapps'
   * login form answers 200 or 401. Null when no check ran: neither a failure nor a success.
   */
  static Boolean outcome(
      Boolean checked, HttpServletRequest request, HttpServletResponse response) {
    if (checked != null) {
      return checked;
    }
    if (isWebappLogin(request)) {
      int status = response.getStatus();
      return status < 300 ? Boolean.TRUE : status == 401 || status == 403 ? Boolean.FALSE : null;
    }
    return null;
  }

  /** HTTP Basic anywhere, or a POST to the webapps' login. */
  static boolean carriesCredentials(HttpServletRequest request) {
    String auth = request.getHeader("Authorization");
    if (auth != null && auth.regionMatches(true, 0, "Basic ", 0, 6)) {
      return true;
    }
    return isWebappLogin(request);
  }

  private static boolean isWebappLogin(HttpServletRequest request) {
    String uri = request.getRequestURI();
    return "POST".equals(request.getMethod())
        && uri != null
        && uri.contains("/api/admin/auth/user/")
        && uri.contains("/login/");
  }
}
