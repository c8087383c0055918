"""Documents the service prints: award certificates, pupil login cards and stamp-code sheets (PDF)."""
