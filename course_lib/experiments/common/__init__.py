"""What two or more experiments share (data preparation, model recipes), under public names."""
