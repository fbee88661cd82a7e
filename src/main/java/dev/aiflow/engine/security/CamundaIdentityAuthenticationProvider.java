package dev.aiflow.engine.security;

import java.util.List;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.Group;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.stereotype.Component;

/**
 * Checks HTTP Basic credentials of aiflow's own API against Camunda's identity service, so the API,
 * the webapps and the engine REST API share one set of users. Groups become {@code GROUP_<id>}
 * authorities.
 */
@Component
public class CamundaIdentityAuthenticationProvider implements AuthenticationProvider {

  /**
   * The request attribute that tells the login throttle what the credential check said ({@code
   * true}: the password matched): the throttle counts checks, not response codes, since a webapp
   * page answers 200 to a request whose Basic header nobody looked at.
   */
  public static final String LOGIN_CHECKED = "dev.aiflow.login-checked";

  /** Groups become authorities with this prefix. */
  public static final String GROUP_PREFIX = "GROUP_";

  private final IdentityService identity;

  public CamundaIdentityAuthenticationProvider(IdentityService identity) {
    this.identity = identity;
  }

  @Override
  public Authentication authenticate(Authentication authentication) {
    String user = authentication.getName();
    Object credentials = authentication.getCredentials();
    boolean matched =
        user != null && credentials != null && identity.checkPassword(user, credentials.toString());
    LoginChecks.record(matched); // for the login throttle
    if (!matched) {
      throw new BadCredentialsException("bad credentials");
    }
    List<GrantedAuthority> authorities =
        identity.createGroupQuery().groupMember(user).list().stream()
            .map(Group::getId)
            .<GrantedAuthority>map(id -> new SimpleGrantedAuthority(GROUP_PREFIX + id))
            .toList();
    return UsernamePasswordAuthenticationToken.authenticated(user, null, authorities);
  }

  @Override
  public boolean supports(Class<?> authentication) {
    return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
  }
}
