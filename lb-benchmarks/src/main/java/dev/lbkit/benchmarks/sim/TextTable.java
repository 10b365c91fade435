package dev.lbkit.benchmarks.sim;

import java.util.List;

/**
 * A markdown table that also reads as plain text: cells padded to their column's width, the first
 * {@code leftColumns} left-aligned, the others (numbers) right-aligned.
 */
final class TextTable {

  private TextTable() {}

  /**
   * Renders {@code header} and {@code rows}, one line each, every line ending in a newline.
   *
   * @throws IllegalArgumentException if a row's length differs from the header's
   */
  static String render(List<String> header, List<List<String>> rows, int leftColumns) {
    int columns = header.size();
    int[] width = new int[columns];
    for (List<String> line : concat(header, rows)) {
      if (line.size() != columns) {
        throw new IllegalArgumentException(
            "row: " + line + " (expected: " + columns + " cells, as " + header + ")");
      }
      for (int c = 0; c < columns; c++) {
        width[c] = Math.max(width[c], Math.max(3, line.get(c).length()));
      }
    }
    StringBuilder out = new StringBuilder();
    line(out, header, width, leftColumns);
    StringBuilder rule = new StringBuilder("|");
    for (int c = 0; c < columns; c++) {
      rule.append(' ')
          .append(c < leftColumns ? "-".repeat(width[c]) : "-".repeat(width[c] - 1) + ":")
          .append(" |");
    }
    out.append(rule).append('\n');
    for (List<String> row : rows) {
      line(out, row, width, leftColumns);
    }
    return out.toString();
  }

  private static List<List<String>> concat(List<String> header, List<List<String>> rows) {
    return java.util.stream.Stream.concat(java.util.stream.Stream.of(header), rows.stream())
        .toList();
  }

  private static void line(StringBuilder out, List<String> cells, int[] width, int leftColumns) {
    out.append('|');
    for (int c = 0; c < cells.size(); c++) {
      String cell = cells.get(c);
      String pad = " ".repeat(width[c] - cell.length());
      out.append(' ').append(c < leftColumns ? cell + pad : pad + cell).append(" |");
    }
    out.append('\n');
  }
}
