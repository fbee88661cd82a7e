package dev.aiflow.api;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Request bodies of aiflow's API: at most {@code maxBytes} (413 problem+json, also for a chunked
 * body that grows past it while it is read), and no leading byte-order mark (400): JSON sent to the
 * API is UTF-8 without one (RFC 8259), and the strict reader refuses what a lenient one would skip.
 */
public class RequestBodyLimit extends OncePerRequestFilter {

  private final long maxBytes;

  public RequestBodyLimit(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  public long maxBytes() {
    return maxBytes;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    long declared = request.getContentLengthLong();
    if (declared > maxBytes) {
      tooLarge(response);
      return;
    }
    chain.doFilter(new Limited(request, maxBytes), response);
  }

  void tooLarge(HttpServletResponse response) throws IOException {
    response.setStatus(413);
    response.setContentType("application/problem+json");
    response
        .getOutputStream()
        .write(
            ("{\"type\":\"https://aiflow.dev/problems/too-large\",\"title\":\"Request body too"
                    + " large\",\"status\":413,\"detail\":\"the request body is larger than the "
                    + maxBytes
                    + " bytes allowed (aiflow.api.max-body-bytes)\"}")
                .getBytes(StandardCharsets.UTF_8));
  }

  /** Thrown while a body is read: answered 413 by {@code ProblemHandler}. */
  public static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;

    TooLarge(long max) {
      super("the request body is larger than the " + max + " bytes allowed");
    }
  }

  /** Thrown when a body starts with a byte-order mark: answered 400. */
  public static final class ByteOrderMark extends IOException {
    private static final long serialVersionUID = 1L;

    ByteOrderMark() {
      super("the request body starts with a byte-order mark; send UTF-8 JSON without one");
    }
  }

  private static final class Limited extends HttpServletRequestWrapper {
    private final long max;
    private ServletInputStream stream;

    Limited(HttpServletRequest request, long max) {
      super(request);
      this.max = max;
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
      if (stream == null) {
        stream = new Counting(super.getInputStream(), max);
      }
      return stream;
    }
  }

  private static final class Counting extends ServletInputStream {
    private final ServletInputStream in;
    private final long max;
    private long count;
    private final int[] head = new int[3];

    Counting(ServletInputStream in, long max) {
      this.in = in;
      this.max = max;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        seen(b);
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      int n = in.read(buf, off, len);
      for (int i = 0; i < n; i++) {
        seen(buf[off + i] & 0xff);
      }
      return n;
    }

    private void seen(int b) throws IOException {
      if (count < 3) {
        head[(int) count] = b;
        if (count == 2 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF) {
          throw new ByteOrderMark();
        }
      }
      if (++count > max) {
        throw new TooLarge(max);
      }
    }

    @Override
    public boolean isFinished() {
      return in.isFinished();
    }

    @Override
    public boolean isReady() {
      return in.isReady();
    }

    @Override
    public void setReadListener(ReadListener listener) {
      in.setReadListener(listener);
    }

    @Override
    public int available() throws IOException {
      return in.available();
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
