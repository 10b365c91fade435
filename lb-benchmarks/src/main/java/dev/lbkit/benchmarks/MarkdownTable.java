package dev.lbkit.benchmarks;

import java.util.ArrayList;
import java.util.List;

/**
 * Renders rows of text cells as a GitHub-flavoured markdown table, padded so it also reads as plain
 * text. The first {@code textColumns} columns are left-aligned, the rest (numbers) right-aligned.
 */
public final class MarkdownTable {

  private MarkdownTable() {}

  /**
   * Returns the table, one line per row with a trailing newline.
   *
   * @throws IllegalArgumentException if a row has a different number of cells than the header
   */
  public static String render(List<String> header, List<List<String>> rows, int textColumns) {
    List<List<String>> lines = new ArrayList<>();
    lines.add(escaped(header));
    for (List<String> row : rows) {
      if (row.size() != header.size()) {
        throw new IllegalArgumentException(
            "row: " + row + " (expected: " + header.size() + " cells like " + header + ")");
      }
      lines.add(escaped(row));
    }
    int[] widths = widths(lines);
    StringBuilder out = new StringBuilder();
    appendRow(out, lines.get(0), widths, textColumns);
    appendSeparator(out, widths, textColumns);
    for (List<String> line : lines.subList(1, lines.size())) {
      appendRow(out, line, widths, textColumns);
    }
    return out.toString();
  }

  private static List<String> escaped(List<String> cells) {
    return cells.stream().map(cell -> cell.replace("|", "\\|")).toList();
  }

  private static int[] widths(List<List<String>> lines) {
    int[] widths = new int[lines.get(0).size()];
    for (List<String> line : lines) {
      for (int c = 0; c < widths.length; c++) {
        widths[c] = Math.max(Math.max(widths[c], line.get(c).length()), 3);
      }
    }
    return widths;
  }

  private static void appendRow(StringBuilder out, List<String> cells, int[] widths, int text) {
    out.append('|');
    for (int c = 0; c < widths.length; c++) {
      String padding = " ".repeat(widths[c] - cells.get(c).length());
      out.append(' ');
      out.append(c < text ? cells.get(c) + padding : padding + cells.get(c));
      out.append(" |");
    }
    out.append('\n');
  }

  private static void appendSeparator(StringBuilder out, int[] widths, int text) {
    out.append('|');
    for (int c = 0; c < widths.length; c++) {
      out.append(' ');
      out.append(c < text ? "-".repeat(widths[c]) : "-".repeat(widths[c] - 1) + ":");
      out.append(" |");
    }
    out.append('\n');
  }
}
