package dev.aiflow.scoreboard;

import java.util.List;
import java.util.Locale;

/**
 * {@code summary.svg}: the queue after each cycle as three lines (completed, failed, still open)
 * and, once any cycle reported a cost, a second panel with the spend so far in US dollars; plain
 * SVG with no scripts or external references, so any viewer or code host shows it.
 */
public final class TrendChart {

  static final int WIDTH = 640;
  static final int HEIGHT = 260;
  private static final int LEFT = 48;
  private static final int RIGHT = 130;
  private static final int TOP = 24;
  private static final int BOTTOM = 40;
  static final int SPEND_PANEL = 170;

  private TrendChart() {}

  public static String svg(List<TrendPoint> trends) {
    boolean spend = trends.stream().anyMatch(t -> t.costTotalMicros() > 0);
    int height = HEIGHT + (spend ? SPEND_PANEL : 0);
    StringBuilder s = new StringBuilder();
    s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(WIDTH)
        .append("\" height=\"")
        .append(height)
        .append("\" viewBox=\"0 0 ")
        .append(WIDTH)
        .append(' ')
        .append(height)
        .append("\" font-family=\"sans-serif\" font-size=\"11\">\n");
    s.append("  <title>Queue after each cycle</title>\n");
    s.append("  <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
    int plotW = WIDTH - LEFT - RIGHT;
    int plotH = HEIGHT - TOP - BOTTOM;
    int cycles = trends.size();
    int max = 1;
    for (TrendPoint t : trends) {
      max = Math.max(max, t.queue().total());
    }
    // axes and horizontal grid
    for (int i = 0; i <= 4; i++) {
      double v = max * i / 4.0;
      double y = TOP + plotH - plotH * i / 4.0;
      s.append(
          String.format(
              Locale.ROOT,
              "  <line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>%n",
              LEFT,
              y,
              LEFT + plotW,
              y));
      s.append(
          String.format(
              Locale.ROOT,
              "  <text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#555\">%s</text>%n",
              LEFT - 6,
              y + 4,
              trim(v)));
    }
    s.append(
        String.format(
            Locale.ROOT,
            "  <text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">cycle (%d in all)</text>%n",
            LEFT + plotW / 2,
            HEIGHT - 8,
            cycles));
    if (cycles == 0) {
      s.append(
          String.format(
              Locale.ROOT,
              "  <text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#888\">no cycle yet</text>%n",
              LEFT + plotW / 2,
              TOP + plotH / 2));
    } else {
      line(s, trends, max, plotW, plotH, "#2e7d32", "completed", 0);
      line(s, trends, max, plotW, plotH, "#c62828", "failed", 1);
      line(s, trends, max, plotW, plotH, "#757575", "open", 2);
      int step = Math.max(1, (int) Math.ceil(cycles / 10.0));
      for (int i = 0; i < cycles; i += step) {
        s.append(
            String.format(
                Locale.ROOT,
                "  <text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">%d</text>%n",
                x(i, cycles, plotW),
                TOP + plotH + 16,
                trends.get(i).cycle()));
      }
    }
    if (spend) {
      spendPanel(s, trends);
    }
    s.append("</svg>\n");
    return s.toString();
  }

  /** The running cost after each cycle, under the queue panel. */
  private static void spendPanel(StringBuilder s, List<TrendPoint> trends) {
    int plotW = WIDTH - LEFT - RIGHT;
    int top = HEIGHT + 10;
    int plotH = SPEND_PANEL - 50;
    long max = 1;
    for (TrendPoint t : trends) {
      max = Math.max(max, t.costTotalMicros());
    }
    s.append(
        String.format(
            Locale.ROOT,
            "  <text x=\"%d\" y=\"%d\" fill=\"#333\">spend so far (USD)</text>%n",
            LEFT,
            top - 2));
    for (int i = 0; i <= 2; i++) {
      double y = top + 8 + plotH - plotH * i / 2.0;
      s.append(
          String.format(
              Locale.ROOT,
              "  <line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>%n",
              LEFT,
              y,
              LEFT + plotW,
              y));
      s.append(
          String.format(
              Locale.ROOT,
              "  <text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#555\">%s</text>%n",
              LEFT - 6,
              y + 4,
              SummaryRenderer.usd(Math.round(max * i / 2.0 / 100.0) * 100)));
    }
    StringBuilder points = new StringBuilder();
    for (int i = 0; i < trends.size(); i++) {
      points.append(
          String.format(
              Locale.ROOT,
              "%.1f,%.1f ",
              x(i, trends.size(), plotW),
              top + 8 + plotH - (double) plotH * trends.get(i).costTotalMicros() / max));
    }
    s.append("  <polyline fill=\"none\" stroke=\"#1565c0\" stroke-width=\"2\" points=\"")
        .append(points.toString().trim())
        .append("\"/>\n");
    s.append(
        String.format(
            Locale.ROOT,
            "  <text x=\"%d\" y=\"%d\" fill=\"#333\">spend: $%s</text>%n",
            LEFT + plotW + 14,
            top + 20,
            SummaryRenderer.usd(trends.get(trends.size() - 1).costTotalMicros())));
  }

  private static void line(
      StringBuilder s,
      List<TrendPoint> trends,
      int max,
      int plotW,
      int plotH,
      String colour,
      String label,
      int series) {
    StringBuilder points = new StringBuilder();
    int last = 0;
    for (int i = 0; i < trends.size(); i++) {
      TrendPoint t = trends.get(i);
      int v =
          switch (series) {
            case 0 -> t.queue().completed();
            case 1 -> t.queue().failed();
            default -> t.queue().pending() + t.queue().inProgress();
          };
      last = v;
      points.append(
          String.format(
              Locale.ROOT,
              "%.1f,%.1f ",
              x(i, trends.size(), plotW),
              TOP + plotH - (double) plotH * v / max));
    }
    s.append("  <polyline fill=\"none\" stroke=\"")
        .append(colour)
        .append("\" stroke-width=\"2\" points=\"")
        .append(points.toString().trim())
        .append("\"/>\n");
    int ly = TOP + 14 + series * 18;
    s.append(
        String.format(
            Locale.ROOT,
            "  <rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/>%n",
            LEFT + plotW + 14,
            ly - 4,
            colour));
    s.append(
        String.format(
            Locale.ROOT,
            "  <text x=\"%d\" y=\"%d\" fill=\"#333\">%s: %d</text>%n",
            LEFT + plotW + 32,
            ly,
            label,
            last));
  }

  private static double x(int i, int n, int plotW) {
    return n == 1 ? LEFT + plotW / 2.0 : LEFT + (double) plotW * i / (n - 1);
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? Integer.toString((int) v) : String.format(Locale.ROOT, "%.1f", v);
  }
}
