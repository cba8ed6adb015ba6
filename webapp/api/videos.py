"""/api/v1/videos"""
