"""Rules: the seven recommendations as rows in the database, evaluated into flags."""
