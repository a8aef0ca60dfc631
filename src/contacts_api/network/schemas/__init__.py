"""What `/1/` endpoints take (`arguments`) and return (`serializers`)."""
