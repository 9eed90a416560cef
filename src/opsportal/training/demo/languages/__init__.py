"""The demo customer track in other languages: German and French complete, Spanish partial."""
