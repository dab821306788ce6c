#include "graph/trace_export.h"

#include <fmt/format.h>

#include <string_view>
#include <vector>

#include "base/money.h"

namespace interdict {
namespace {

std::string Name(const Interner* in, uint32_t id) {
  if (id == kNoId) return "";
  if (in && id < in->size()) return std::string(in->Name(id));
  return fmt::format("#{}", id);
}

std::string Yuan(Money m) { return FormatMoney(m); }

std::string TsText(Ts ts, const TimeZone& tz) { return ts == kNoTs ? std::string() : FormatTs(ts, tz); }

void JsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out->append(fmt::format("\\u{:04x}", static_cast<unsigned char>(c)));
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

std::string JsonTs(Ts ts, const TimeZone& tz) {
  if (ts == kNoTs) return "null";
  std::string s;
  JsonString(FormatTs(ts, tz), &s);
  return s;
}

// Inside a DOT double-quoted string only '"' and '\' need escaping (a "\n"
// we add ourselves is DOT's line break).
std::string DotEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (static_cast<unsigned char>(c) >= 0x20) out.push_back(c);
  }
  return out;
}

std::string XmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out.append("&amp;"); break;
      case '<': out.append("&lt;"); break;
      case '>': out.append("&gt;"); break;
      case '"': out.append("&quot;"); break;
      case '\'': out.append("&apos;"); break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20) out.push_back(c);  // XML 1.0 forbids most controls
    }
  }
  return out;
}

std::string NodeId(uint32_t hop) { return fmt::format("n{}", hop); }
std::string CashId(uint32_t hop) { return fmt::format("cash{}", hop); }
std::string ToNodeId(const TraceEdge& e) { return e.to_hop == kNoHop ? CashId(e.from_hop) : NodeId(e.to_hop); }

// Hops with a cash-out edge get a cash node; a withdrawal seed from a deposit
// (no sender) has no hop to hang it on and is skipped in drawings.
std::vector<bool> CashNodes(const MoneyTrace& t) {
  std::vector<bool> cash(t.hops().size(), false);
  for (const TraceEdge& e : t.edges())
    if (e.to_hop == kNoHop && e.from_hop != kNoHop) cash[e.from_hop] = true;
  return cash;
}

}  // namespace

std::string TraceToJson(const MoneyTrace& t, const TraceNames& n) {
  const TransferGraph& g = t.graph();
  const TraceOptions& o = t.options();
  const TraceTotals& s = t.totals();
  std::string out;
  out += "{\n";
  out += fmt::format("  \"model\": \"{}\",\n  \"now\": {},\n  \"max_depth\": {},\n  \"min_amount\": {},\n", ToString(o.model),
                     JsonTs(t.now(), n.tz), o.max_depth, Yuan(o.min_amount));
  out += fmt::format("  \"lookback_s\": {},\n", o.lookback_s);
  out += fmt::format(
      "  \"totals\": {{\"seeds\": {}, \"seeded\": {}, \"remaining\": {}, \"cashed_out\": {}, \"outside\": {}, "
      "\"returned\": {}, \"dropped_small\": {}, \"beyond_depth\": {}, \"steps\": {}, \"truncated\": {}}},\n",
      s.seeds, Yuan(s.seeded), Yuan(s.remaining), Yuan(s.cashed_out), Yuan(s.outside), Yuan(s.returned),
      Yuan(s.dropped_small), Yuan(s.beyond_depth), s.steps, s.truncated ? "true" : "false");
  out += "  \"nodes\": [";
  std::vector<bool> cash = CashNodes(t);
  bool first = true;
  for (uint32_t i = 0; i < t.hops().size(); ++i) {
    const TraceHop& h = t.hops()[i];
    out += first ? "\n    {" : ",\n    {";
    first = false;
    out += fmt::format("\"id\": \"{}\", \"account\": ", NodeId(i));
    JsonString(Name(n.accounts, h.account), &out);
    out += fmt::format(
        ", \"kind\": \"{}\", \"depth\": {}, \"received\": {}, \"remaining\": {}, \"sent\": {}, \"cashed_out\": {}, "
        "\"dropped_small\": {}, \"beyond_depth\": {}, \"first_in\": {}, \"first_out\": {}, \"last_out\": {}, "
        "\"parents\": [",
        ToString(h.kind), h.depth, Yuan(h.received), Yuan(h.remaining), Yuan(h.sent), Yuan(h.cashed_out),
        Yuan(h.dropped_small), Yuan(h.beyond_depth), JsonTs(h.first_in, n.tz), JsonTs(h.first_out, n.tz),
        JsonTs(h.last_out, n.tz));
    for (size_t p = 0; p < h.parents.size(); ++p) out += fmt::format("{}\"{}\"", p ? ", " : "", NodeId(h.parents[p]));
    out += "]}";
  }
  for (uint32_t i = 0; i < cash.size(); ++i) {
    if (!cash[i]) continue;
    out += first ? "\n    {" : ",\n    {";
    first = false;
    out += fmt::format("\"id\": \"{}\", \"kind\": \"cash\", \"cashed_out\": {}, \"parents\": [\"{}\"]}}", CashId(i),
                       Yuan(t.hops()[i].cashed_out), NodeId(i));
  }
  out += first ? "],\n" : "\n  ],\n";
  out += "  \"edges\": [";
  first = true;
  for (const TraceEdge& e : t.edges()) {
    out += first ? "\n    {" : ",\n    {";
    first = false;
    out += "\"txn\": ";
    JsonString(Name(n.txns, g.txn(e.transfer)), &out);
    out += fmt::format(
        ", \"from\": {}, \"to\": {}, \"ts\": {}, \"amount\": {}, \"traced\": {}, \"kind\": \"{}\", \"channel\": \"{}\"}}",
        e.from_hop == kNoHop ? "null" : "\"" + NodeId(e.from_hop) + "\"",
        e.from_hop == kNoHop && e.to_hop == kNoHop ? "null" : "\"" + ToNodeId(e) + "\"", JsonTs(g.ts(e.transfer), n.tz),
        Yuan(g.amount(e.transfer)), Yuan(e.traced), ToString(g.kind(e.transfer)), ToString(g.channel(e.transfer)));
  }
  out += first ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

std::string TraceToDot(const MoneyTrace& t, const TraceNames& n) {
  const TransferGraph& g = t.graph();
  std::string out = "digraph trace {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n"
                    "  edge [fontname=\"Helvetica\", fontsize=9];\n";
  std::vector<bool> cash = CashNodes(t);
  for (uint32_t i = 0; i < t.hops().size(); ++i) {
    const TraceHop& h = t.hops()[i];
    std::string label = DotEscape(Name(n.accounts, h.account));
    std::string style;
    switch (h.kind) {
      case HopKind::kSource:
        label += fmt::format("\\nvictim: sent {}", Yuan(h.sent));
        if (h.received > 0) label += fmt::format("\\nreturned {}", Yuan(h.received));
        style = ", style=filled, fillcolor=\"#cfe2f3\"";
        break;
      case HopKind::kOutside:
        label += fmt::format("\\noutside, depth {}\\nreceived {}", h.depth, Yuan(h.received));
        style = ", style=\"filled,dashed\", fillcolor=\"#eeeeee\"";
        break;
      case HopKind::kAccount:
        label += fmt::format("\\ndepth {}\\nreceived {}\\nremaining {}", h.depth, Yuan(h.received), Yuan(h.remaining));
        if (h.remaining > 0) style = ", style=filled, fillcolor=\"#f4cccc\"";
        break;
    }
    out += fmt::format("  {} [label=\"{}\"{}];\n", NodeId(i), label, style);
  }
  for (uint32_t i = 0; i < cash.size(); ++i)
    if (cash[i])
      out += fmt::format("  {} [label=\"cash-out\\n{}\", shape=ellipse, style=filled, fillcolor=\"#fff2cc\"];\n", CashId(i),
                         Yuan(t.hops()[i].cashed_out));
  for (const TraceEdge& e : t.edges()) {
    if (e.from_hop == kNoHop) continue;  // a deposit seed: nothing to draw from
    out += fmt::format("  {} -> {} [label=\"{} of {}\\n{}\"];\n", NodeId(e.from_hop), ToNodeId(e), Yuan(e.traced),
                       Yuan(g.amount(e.transfer)), DotEscape(FormatTs(g.ts(e.transfer), n.tz)));
  }
  out += "}\n";
  return out;
}

std::string TraceToGraphml(const MoneyTrace& t, const TraceNames& n) {
  const TransferGraph& g = t.graph();
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" "
      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
      "xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns "
      "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n"
      "  <key id=\"label\" for=\"node\" attr.name=\"label\" attr.type=\"string\"/>\n"
      "  <key id=\"kind\" for=\"node\" attr.name=\"kind\" attr.type=\"string\"/>\n"
      "  <key id=\"depth\" for=\"node\" attr.name=\"depth\" attr.type=\"int\"/>\n"
      "  <key id=\"received\" for=\"node\" attr.name=\"received\" attr.type=\"double\"/>\n"
      "  <key id=\"remaining\" for=\"node\" attr.name=\"remaining\" attr.type=\"double\"/>\n"
      "  <key id=\"sent\" for=\"node\" attr.name=\"sent\" attr.type=\"double\"/>\n"
      "  <key id=\"cashed_out\" for=\"node\" attr.name=\"cashed_out\" attr.type=\"double\"/>\n"
      "  <key id=\"txn\" for=\"edge\" attr.name=\"txn\" attr.type=\"string\"/>\n"
      "  <key id=\"ts\" for=\"edge\" attr.name=\"ts\" attr.type=\"string\"/>\n"
      "  <key id=\"amount\" for=\"edge\" attr.name=\"amount\" attr.type=\"double\"/>\n"
      "  <key id=\"traced\" for=\"edge\" attr.name=\"traced\" attr.type=\"double\"/>\n"
      "  <key id=\"channel\" for=\"edge\" attr.name=\"channel\" attr.type=\"string\"/>\n"
      "  <graph id=\"trace\" edgedefault=\"directed\">\n";
  std::vector<bool> cash = CashNodes(t);
  for (uint32_t i = 0; i < t.hops().size(); ++i) {
    const TraceHop& h = t.hops()[i];
    out += fmt::format(
        "    <node id=\"{}\"><data key=\"label\">{}</data><data key=\"kind\">{}</data><data key=\"depth\">{}</data>"
        "<data key=\"received\">{}</data><data key=\"remaining\">{}</data><data key=\"sent\">{}</data>"
        "<data key=\"cashed_out\">{}</data></node>\n",
        NodeId(i), XmlEscape(Name(n.accounts, h.account)), ToString(h.kind), h.depth, Yuan(h.received),
        Yuan(h.remaining), Yuan(h.sent), Yuan(h.cashed_out));
  }
  for (uint32_t i = 0; i < cash.size(); ++i)
    if (cash[i])
      out += fmt::format(
          "    <node id=\"{}\"><data key=\"label\">cash-out</data><data key=\"kind\">cash</data>"
          "<data key=\"cashed_out\">{}</data></node>\n",
          CashId(i), Yuan(t.hops()[i].cashed_out));
  size_t k = 0;
  for (const TraceEdge& e : t.edges()) {
    if (e.from_hop == kNoHop) continue;
    out += fmt::format(
        "    <edge id=\"e{}\" source=\"{}\" target=\"{}\"><data key=\"txn\">{}</data><data key=\"ts\">{}</data>"
        "<data key=\"amount\">{}</data><data key=\"traced\">{}</data><data key=\"channel\">{}</data></edge>\n",
        k++, NodeId(e.from_hop), ToNodeId(e), XmlEscape(Name(n.txns, g.txn(e.transfer))),
        FormatTs(g.ts(e.transfer), n.tz), Yuan(g.amount(e.transfer)), Yuan(e.traced), ToString(g.channel(e.transfer)));
  }
  out += "  </graph>\n</graphml>\n";
  return out;
}

std::string TraceToText(const MoneyTrace& t, const TraceNames& n) {
  const TraceTotals& s = t.totals();
  std::string out = fmt::format(
      "seeded {} yuan in {} payment{}; remaining in accounts {}, cashed out {}, to outside accounts {}, "
      "returned {}, not followed {} (below minimum {}, beyond depth {})\n",
      Yuan(s.seeded), s.seeds, s.seeds == 1 ? "" : "s", Yuan(s.remaining), Yuan(s.cashed_out), Yuan(s.outside),
      Yuan(s.returned), Yuan(s.dropped_small + s.beyond_depth), Yuan(s.dropped_small), Yuan(s.beyond_depth));
  if (s.truncated) out += fmt::format("TRUNCATED after {} replayed transfers: amounts are partial\n", s.steps);
  const auto& hops = t.hops();
  std::vector<std::vector<uint32_t>> children(hops.size());
  std::vector<uint32_t> roots;
  for (uint32_t i = 0; i < hops.size(); ++i) {
    if (hops[i].first_parent == kNoHop) {
      roots.push_back(i);
    } else {
      children[hops[i].first_parent].push_back(i);
    }
  }
  // Iterative depth-first walk; first_parent always has a smaller index, so
  // the tree has no cycles.
  struct Frame {
    uint32_t hop;
    std::string prefix;
    bool last;
    bool root;
  };
  std::vector<Frame> stack;
  for (size_t r = roots.size(); r-- > 0;) stack.push_back({roots[r], "", true, true});
  while (!stack.empty()) {
    Frame f = std::move(stack.back());
    stack.pop_back();
    const TraceHop& h = hops[f.hop];
    std::string line = f.prefix;
    if (!f.root) line += f.last ? "└─ " : "├─ ";
    line += Name(n.accounts, h.account);
    switch (h.kind) {
      case HopKind::kSource:
        line += fmt::format("  [victim] sent {}", Yuan(h.sent));
        if (h.cashed_out) line += fmt::format(", withdrew {}", Yuan(h.cashed_out));
        if (h.received) line += fmt::format(", {} came back", Yuan(h.received));
        break;
      case HopKind::kOutside:
        line += fmt::format("  [outside, depth {}] received {}", h.depth, Yuan(h.received));
        break;
      case HopKind::kAccount:
        line += fmt::format("  [depth {}] received {} from {}", h.depth, Yuan(h.received), TsText(h.first_in, n.tz));
        line += fmt::format(", remaining {}", Yuan(h.remaining));
        if (h.sent) line += fmt::format(", sent on {}", Yuan(h.sent));
        if (h.cashed_out) line += fmt::format(", CASHED OUT {}", Yuan(h.cashed_out));
        if (h.dropped_small + h.beyond_depth)
          line += fmt::format(", not followed {}", Yuan(h.dropped_small + h.beyond_depth));
        if (h.first_out != kNoTs)
          line += fmt::format(", moved {} .. {}", TsText(h.first_out, n.tz), TsText(h.last_out, n.tz));
        break;
    }
    if (h.parents.size() > 1) {
      line += "; also from";
      for (uint32_t p : h.parents)
        if (p != h.first_parent) line += " " + Name(n.accounts, hops[p].account);
    }
    out += line + "\n";
    std::string child_prefix = f.root ? "" : f.prefix + (f.last ? "   " : "│  ");
    const auto& ch = children[f.hop];
    for (size_t c = ch.size(); c-- > 0;) stack.push_back({ch[c], child_prefix, c + 1 == ch.size(), false});
  }
  return out;
}

}  // namespace interdict
