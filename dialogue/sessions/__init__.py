"""Events and their agenda: sessions, the people on them, exports."""
