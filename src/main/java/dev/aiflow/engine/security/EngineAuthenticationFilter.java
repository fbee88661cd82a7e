package dev.aiflow.engine.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.camunda.bpm.engine.IdentityService;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Makes the caller of aiflow's API the engine's authenticated user for the request, as Camunda's
 * own filter does for {@code /engine-rest}: the engine then applies its authorizations to every
 * call (a list shows only what the caller may read), and records the caller as the start user of
 * the instances they start. It runs inside the API's security chain, after the login was checked,
 * and clears the engine's authentication when the request ends.
 */
public class EngineAuthenticationFilter extends OncePerRequestFilter {

  private final IdentityService identity;

  public EngineAuthenticationFilter(IdentityService identity) {
    this.identity = identity;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    Authentication auth = SecurityContextHolder.getContext().getAuthentication();
    if (auth == null || !auth.isAuthenticated() || auth.getName() == null) {
      chain.doFilter(request, response);
      return;
    }
    identity.setAuthentication(auth.getName(), ApiAccess.groups(auth));
    try {
      chain.doFilter(request, response);
    } finally {
      identity.clearAuthentication();
    }
  }

  /** The filter as a bean for the API chain, kept out of the servlet container's own chain. */
  @Configuration(proxyBeanMethods = false)
  static class Registration {

    @Bean
    EngineAuthenticationFilter engineAuthenticationFilter(IdentityService identity) {
      return new EngineAuthenticationFilter(identity);
    }

    @Bean
    FilterRegistrationBean<EngineAuthenticationFilter> engineAuthenticationFilterRegistration(
        EngineAuthenticationFilter filter) {
      FilterRegistrationBean<EngineAuthenticationFilter> r = new FilterRegistrationBean<>(filter);
      r.setEnabled(false); // only inside the API's security chain
      return r;
    }
  }
}
