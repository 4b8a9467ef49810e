"""Monitoring pages (thin views over dspt.monitoring's figures)."""
