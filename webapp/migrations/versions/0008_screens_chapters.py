"""screens and chapters: what a video's screen showed (OCR), chapter marks; transcript revisions; captions preference

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('chapters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('video_id', sa.String(length=16), nullable=False),
    sa.Column('start', sa.Double(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('origin', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['video_id'], ['videos.id'], name=op.f('fk_chapters_video_id_videos'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chapters'))
    )
    with op.batch_alter_table('chapters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chapters_video_id'), ['video_id'], unique=False)

    op.create_table('screen_scans',
    sa.Column('video_id', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('source_sha1', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['video_id'], ['videos.id'], name=op.f('fk_screen_scans_video_id_videos'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('video_id', name=op.f('pk_screen_scans'))
    )
    op.create_table('screens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('video_id', sa.String(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('start', sa.Double(), nullable=False),
    sa.Column('end', sa.Double(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('heading', sa.String(length=200), nullable=False),
    sa.Column('image_key', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['video_id'], ['screen_scans.video_id'], name=op.f('fk_screens_video_id_screen_scans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screens'))
    )
    with op.batch_alter_table('screens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screens_video_id'), ['video_id'], unique=False)

    op.create_table('transcript_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('video_id', sa.String(length=16), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('origin', sa.String(length=16), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('segments_json', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_transcript_revisions_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['video_id'], ['transcripts.video_id'], name=op.f('fk_transcript_revisions_video_id_transcripts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transcript_revisions')),
    sa.UniqueConstraint('video_id', 'number', name=op.f('uq_transcript_revisions_video_id'))
    )
    with op.batch_alter_table('transcript_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transcript_revisions_video_id'), ['video_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('captions_on', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('captions_on')

    with op.batch_alter_table('transcript_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transcript_revisions_video_id'))

    op.drop_table('transcript_revisions')
    with op.batch_alter_table('screens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screens_video_id'))

    op.drop_table('screens')
    op.drop_table('screen_scans')
    with op.batch_alter_table('chapters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chapters_video_id'))

    op.drop_table('chapters')
